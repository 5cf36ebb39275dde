import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

let s: TestServer;
let aws: AwsCli | undefined;
let work: string;
beforeAll(async () => {
  s = await startTestServer();
  aws = awsCli(s.url);
  work = mkdtempSync(join(tmpdir(), 'nimbus-cli-work-'));
  writeFileSync(
    join(work, 'v1.zip'),
    await makeZip({ 'index.js': 'exports.handler = async (e) => ({ v: 1, e });' }),
  );
  writeFileSync(
    join(work, 'v2.zip'),
    await makeZip({
      'index.js': "exports.handler = async (e) => { console.log('v2 ran'); return { v: 2, e }; };",
    }),
  );
});
afterAll(() => s.close());

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;

describe.skipIf(!findable())('AWS CLI v2 against Nimbus', () => {
  it('create-function, then wait function-active-v2 returns at once', async () => {
    const created = await aws!([
      'lambda',
      'create-function',
      '--function-name',
      'cli-fn',
      '--runtime',
      'nodejs20.x',
      '--handler',
      'index.handler',
      '--role',
      TEST_ROLE,
      '--zip-file',
      `fileb://${join(work, 'v1.zip')}`,
      '--environment',
      'Variables={STAGE=dev}',
      '--tags',
      'team=core',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(json(created)).toMatchObject({
      FunctionName: 'cli-fn',
      State: 'Active',
      Environment: { Variables: { STAGE: 'dev' } },
    });
    const t = Date.now();
    const waited = await aws!(['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-fn']);
    expect(waited.code).toBe(0);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('invoke with --cli-binary-format raw-in-base64-out and --log-type Tail', async () => {
    const out = join(work, 'out.json');
    const r = await aws!([
      'lambda',
      'invoke',
      '--function-name',
      'cli-fn',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"hello":"cli"}',
      '--log-type',
      'Tail',
      out,
    ]);
    expect(r.code).toBe(0);
    const meta = json(r) as { StatusCode: number; ExecutedVersion: string; LogResult: string };
    expect(meta.StatusCode).toBe(200);
    expect(meta.ExecutedVersion).toBe('$LATEST');
    expect(Buffer.from(meta.LogResult, 'base64').toString()).toMatch(/^REPORT RequestId: /m);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ v: 1, e: { hello: 'cli' } });
  });

  it('update-function-code and update-function-configuration, then function-updated-v2', async () => {
    const code = await aws!([
      'lambda',
      'update-function-code',
      '--function-name',
      'cli-fn',
      '--zip-file',
      `fileb://${join(work, 'v2.zip')}`,
    ]);
    expect(code.code).toBe(0);
    const cfg = await aws!([
      'lambda',
      'update-function-configuration',
      '--function-name',
      'cli-fn',
      '--timeout',
      '9',
      '--memory-size',
      '256',
    ]);
    expect(json(cfg)).toMatchObject({ Timeout: 9, MemorySize: 256, LastUpdateStatus: 'Successful' });
    expect((await aws!(['lambda', 'wait', 'function-updated-v2', '--function-name', 'cli-fn'])).code).toBe(0);
    const out = join(work, 'out2.json');
    await aws!([
      'lambda',
      'invoke',
      '--function-name',
      'cli-fn',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{}',
      out,
    ]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ v: 2, e: {} });
  });

  it('get-function, get-function-configuration, list-functions, get-account-settings', async () => {
    const got = json(await aws!(['lambda', 'get-function', '--function-name', 'cli-fn'])) as {
      Configuration: { Timeout: number };
      Code: { Location: string };
      Tags: Record<string, string>;
    };
    expect(got.Configuration.Timeout).toBe(9);
    expect(got.Tags).toEqual({ team: 'core' });
    expect((await fetch(got.Code.Location)).status).toBe(200);
    const cfg = json(await aws!(['lambda', 'get-function-configuration', '--function-name', 'cli-fn']));
    expect(cfg.MemorySize).toBe(256);
    const list = json(await aws!(['lambda', 'list-functions'])) as { Functions: { FunctionName: string }[] };
    expect(list.Functions.map((f) => f.FunctionName)).toEqual(['cli-fn']);
    const acct = json(await aws!(['lambda', 'get-account-settings'])) as {
      AccountUsage: { FunctionCount: number };
    };
    expect(acct.AccountUsage.FunctionCount).toBe(1);
  });

  it('tag-resource, untag-resource, list-tags', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:cli-fn';
    expect((await aws!(['lambda', 'tag-resource', '--resource', arn, '--tags', 'env=test'])).code).toBe(0);
    expect((await aws!(['lambda', 'untag-resource', '--resource', arn, '--tag-keys', 'team'])).code).toBe(0);
    expect(json(await aws!(['lambda', 'list-tags', '--resource', arn]))).toEqual({ Tags: { env: 'test' } });
  });

  it('errors come back as the AWS CLI prints them', async () => {
    const r = await aws!(['lambda', 'get-function', '--function-name', 'nope']);
    expect(r.code).toBe(254);
    expect(r.stderr).toContain(
      'An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope',
    );
    const v = await aws!([
      'lambda',
      'update-function-configuration',
      '--function-name',
      'cli-fn',
      '--timeout',
      '901',
    ]);
    expect(v.code).toBe(254);
    expect(v.stderr).toContain('(ValidationException)');
    expect(v.stderr).toContain(
      "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    );
  });

  it('delete-function', async () => {
    expect((await aws!(['lambda', 'delete-function', '--function-name', 'cli-fn'])).code).toBe(0);
    expect(json(await aws!(['lambda', 'list-functions']))).toEqual({ Functions: [] });
  });
});

function findable(): boolean {
  // Resolved at collection time so a missing CLI is reported (or fails in CI) before the suite runs.
  return awsCli('http://127.0.0.1:1') !== undefined;
}
