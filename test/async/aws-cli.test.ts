import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { createFunction } from '../support/functions.js';
import { PROBE_CLIENT, type Probe, startProbe } from '../support/probe-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let aws: AwsCli | undefined;
let probe: Probe;
let work: string;
const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

beforeAll(async () => {
  probe = await startProbe();
  s = await startTestServer({ asyncDelayScale: 0.001 });
  aws = awsCli(s.url);
  work = mkdtempSync(join(tmpdir(), 'nimbus-async-cli-'));
  const code = `${PROBE_CLIENT}
exports.handler = async (event, context) => { await probe({ requestId: context.awsRequestId, event }); return 1; };`;
  const env = { Environment: { Variables: { PROBE_URL: probe.url } } };
  await createFunction(s.lambda, 'cli-async', { 'index.js': code }, env);
  await createFunction(s.lambda, 'cli-target', { 'index.js': code }, env);
});
afterAll(async () => {
  await s?.close();
  await probe?.close();
  rmSync(work, { recursive: true, force: true });
});

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;

describe.skipIf(!findable())('AWS CLI v2: asynchronous invocation', () => {
  it('invoke --invocation-type Event answers StatusCode 202 and the event runs', async () => {
    const out = join(work, 'out.json');
    const r = await aws!([
      'lambda',
      'invoke',
      '--function-name',
      'cli-async',
      '--invocation-type',
      'Event',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"from":"aws-cli"}',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(json(r)).toEqual({ StatusCode: 202 });
    expect(readFileSync(out, 'utf8')).toBe('');
    await probe.waitFor(
      (hits) => hits.some((h) => (h.body.event as { from?: string }).from === 'aws-cli'),
      'the event to run',
    );
  });

  it('invoke-async (deprecated) answers Status 202', async () => {
    const args = join(work, 'args.json');
    writeFileSync(args, '{"legacy":"cli"}');
    const r = await aws!(['lambda', 'invoke-async', '--function-name', 'cli-async', '--invoke-args', args]);
    expect(r.stderr).toBe('');
    expect(json(r)).toEqual({ Status: 202 });
    await probe.waitFor(
      (hits) => hits.some((h) => (h.body.event as { legacy?: string }).legacy === 'cli'),
      'the InvokeAsync event to run',
    );
  });

  it('put-, update- and get-function-event-invoke-config', { timeout: 60_000 }, async () => {
    const put = await aws!([
      'lambda',
      'put-function-event-invoke-config',
      '--function-name',
      'cli-async',
      '--maximum-retry-attempts',
      '1',
      '--destination-config',
      JSON.stringify({ OnFailure: { Destination: arn('cli-target') } }),
    ]);
    expect(put.stderr).toBe('');
    expect(json(put)).toMatchObject({
      FunctionArn: `${arn('cli-async')}:$LATEST`,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: arn('cli-target') } },
    });
    // The CLI turns the epoch-seconds number into a date; a string on the wire would fail to parse.
    expect(Number.isNaN(Date.parse(String(json(put).LastModified)))).toBe(false);

    const updated = await aws!([
      'lambda',
      'update-function-event-invoke-config',
      '--function-name',
      'cli-async',
      '--maximum-event-age-in-seconds',
      '300',
    ]);
    expect(json(updated)).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 300 });

    const got = await aws!(['lambda', 'get-function-event-invoke-config', '--function-name', 'cli-async']);
    expect(json(got)).toMatchObject({ MaximumEventAgeInSeconds: 300 });
  });

  it('list- and delete-function-event-invoke-config; invalid values', { timeout: 60_000 }, async () => {
    const listed = await aws!([
      'lambda',
      'list-function-event-invoke-configs',
      '--function-name',
      'cli-async',
    ]);
    expect((json(listed).FunctionEventInvokeConfigs as unknown[]).length).toBe(1);

    const invalid = await aws!([
      'lambda',
      'put-function-event-invoke-config',
      '--function-name',
      'cli-async',
      '--maximum-retry-attempts',
      '5',
    ]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('ValidationException');
    expect(invalid.stderr).toContain("Value '5' at 'maximumRetryAttempts'");

    const deleted = await aws!([
      'lambda',
      'delete-function-event-invoke-config',
      '--function-name',
      'cli-async',
    ]);
    expect(deleted.code).toBe(0);
    const gone = await aws!(['lambda', 'get-function-event-invoke-config', '--function-name', 'cli-async']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("doesn't have an EventInvokeConfig");
  });
});

function findable(): boolean {
  // Resolved at collection time so a missing CLI is reported (or fails in CI) before the suite runs.
  return awsCli('http://127.0.0.1:1') !== undefined;
}
