import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ConcurrencyLimiter } from '../../src/invoke/concurrency.js';
import { ConcurrencyConfig } from '../../src/invoke/concurrency-config.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ConcurrencyStore } from '../../src/store/ports.js';
import { SqliteConcurrencyStore } from '../../src/store/sqlite/concurrency-store.js';
import { awsCli } from '../support/aws-cli.js';
import { eventually } from '../support/eventually.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

/** Answers which kind of init its sandbox had, which code it is, and which sandbox (an id drawn at init). */
const handler = (release: string) =>
  `const sandbox = Math.random().toString(36).slice(2);
exports.handler = async () => ({ init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, release: ${JSON.stringify(release)}, sandbox });`;
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

interface StatusBody {
  sandboxes: { sandboxes: number; provisioned: number; provisionedTarget: number; provisionedReady: number };
}

async function rejection(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected a rejection');
}

const errorOf = async (p: Promise<unknown>) => {
  const e = await rejection(p);
  return [e.name, e.message];
};

/** Invokes with the log tail: what the handler said, which version ran, and whether it was a cold start. */
async function invoke(lambda: LambdaClient, qualified: string) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: qualified, Payload: '{}', LogType: 'Tail' }),
  );
  const tail = Buffer.from(out.LogResult ?? '', 'base64').toString();
  expect(tail).toMatch(/REPORT RequestId: /);
  const { sandbox, ...said } = decodeJson(out.Payload) as { init: string; release: string; sandbox: string };
  return { ...said, version: out.ExecutedVersion, cold: /Init Duration/.test(tail), sandbox };
}

const put = (lambda: LambdaClient, qualifier: string, n: number, fn = 'warm') =>
  lambda.send(
    new PutProvisionedConcurrencyConfigCommand({
      FunctionName: fn,
      Qualifier: qualifier,
      ProvisionedConcurrentExecutions: n,
    }),
  );

const ready = (lambda: LambdaClient, qualifier: string, fn = 'warm') =>
  eventually(`provisioned concurrency of ${fn}:${qualifier} to be READY`, async () => {
    const g = await lambda.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: qualifier }),
    );
    return g.Status === 'READY' ? g : undefined;
  });

describe('provisioned concurrency on versions and aliases', () => {
  let s: TestServer;
  const status = async () =>
    (await (await fetch(`${s.url}/nimbus/v1/functions/warm/status`)).json()) as StatusBody;
  const unreserved = async () =>
    (await s.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions;

  beforeAll(async () => {
    s = await startTestServer({ concurrency: 1000, idleTimeoutSeconds: 1 });
    await createFunction(s.lambda, 'warm', { 'index.js': handler('one') });
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'warm' }));
    await s.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'warm',
        ZipFile: await makeZip({ 'index.js': handler('two') }),
      }),
    );
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'warm' }));
  });
  afterAll(() => s.close());

  it('keeps N initialised sandboxes for a version: READY, invoked warm, never reaped', async () => {
    const p = await put(s.lambda, '1', 2);
    expect(p.$metadata.httpStatusCode).toBe(202);
    expect(p).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 0,
      AvailableProvisionedConcurrentExecutions: 0,
      Status: 'IN_PROGRESS',
    });
    expect(p.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const r = await ready(s.lambda, '1');
    expect(r).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
    });
    // It counts against the account like a reservation.
    expect(await unreserved()).toBe(998);

    // The first invoke of the version is warm, in a sandbox initialised for provisioned concurrency.
    const first = await invoke(s.lambda, 'warm:1');
    expect(first).toMatchObject({
      init: 'provisioned-concurrency',
      release: 'one',
      version: '1',
      cold: false,
    });
    // $LATEST and version 2 have none: their first invoke is a cold, on-demand start.
    expect(await invoke(s.lambda, 'warm')).toMatchObject({
      init: 'on-demand',
      release: 'two',
      version: '$LATEST',
      cold: true,
    });
    expect(await invoke(s.lambda, `${ARN}:warm:2`)).toMatchObject({ init: 'on-demand', cold: true });

    // Past the 1 s keep-alive, the on-demand sandboxes are gone and the provisioned ones stay.
    await eventually('the on-demand sandboxes to be reaped', async () => {
      const st = await status();
      return st.sandboxes.sandboxes === 2 ? st : undefined;
    });
    expect((await status()).sandboxes).toMatchObject({ provisioned: 2, provisionedTarget: 2 });
    expect(await invoke(s.lambda, 'warm:1')).toMatchObject({ init: 'provisioned-concurrency', cold: false });

    // A new $LATEST leaves the published version's sandboxes alone: the same ones serve it.
    const before = new Set<string>();
    for (let i = 0; i < 2; i++) before.add((await invoke(s.lambda, 'warm:1')).sandbox);
    await s.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'warm',
        ZipFile: await makeZip({ 'index.js': handler('three') }),
      }),
    );
    const after = await invoke(s.lambda, 'warm:1');
    expect(after).toMatchObject({ release: 'one', cold: false });
    expect(before).toContain(after.sandbox);
  });

  it('refuses $LATEST, unknown qualifiers and what does not fit, changing nothing', async () => {
    expect(await errorOf(put(s.lambda, '$LATEST', 1))).toEqual([
      'InvalidParameterValueException',
      'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
    ]);
    for (const op of [
      s.lambda.send(
        new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: '$LATEST' }),
      ),
      s.lambda.send(
        new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: '$LATEST' }),
      ),
    ]) {
      expect(await errorOf(op)).toEqual([
        'InvalidParameterValueException',
        'The function resource provided must be an alias or a published version.',
      ]);
    }
    expect(await errorOf(put(s.lambda, '9', 1))).toEqual([
      'ResourceNotFoundException',
      `Function not found: ${ARN}:warm:9`,
    ]);
    expect(await errorOf(put(s.lambda, 'nope', 1))).toEqual([
      'ResourceNotFoundException',
      `Cannot find alias arn: ${ARN}:warm:nope`,
    ]);
    expect(
      await errorOf(
        s.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: '2' })),
      ),
    ).toEqual([
      'ProvisionedConcurrencyConfigNotFoundException',
      'No Provisioned Concurrency Config found for this function',
    ]);
    expect(
      await errorOf(
        s.lambda.send(
          new PutProvisionedConcurrencyConfigCommand({
            FunctionName: `${ARN}:warm:1`,
            Qualifier: '2',
            ProvisionedConcurrentExecutions: 1,
          }),
        ),
      ),
    ).toEqual([
      'InvalidParameterValueException',
      'The derived qualifier from the function name does not match the specified qualifier.',
    ]);

    // The account keeps 100 unreserved: version 1 has 2, so 899 more is too many.
    expect(await errorOf(put(s.lambda, '2', 899))).toEqual([
      'InvalidParameterValueException',
      "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    ]);
    expect(await errorOf(put(s.lambda, '2', 999))).toEqual([
      'InvalidParameterValueException',
      "Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [1000].",
    ]);
    // Within a reservation, versions and aliases share it.
    await s.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'warm', ReservedConcurrentExecutions: 3 }),
    );
    expect(await errorOf(put(s.lambda, '2', 2))).toEqual([
      'InvalidParameterValueException',
      'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function',
    ]);
    expect(
      await errorOf(
        s.lambda.send(
          new PutFunctionConcurrencyCommand({ FunctionName: 'warm', ReservedConcurrentExecutions: 1 }),
        ),
      ),
    ).toEqual([
      'InvalidParameterValueException',
      "Specified ReservedConcurrentExecutions for function is less than the function's provisioned concurrency [2].",
    ]);
    expect(await unreserved()).toBe(997);
    await s.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'warm' }));

    // Shape errors are AWS's validation messages.
    const zero = await fetch(`${s.url}/2019-09-30/functions/warm/provisioned-concurrency?Qualifier=2`, {
      method: 'PUT',
      body: JSON.stringify({ ProvisionedConcurrentExecutions: 0 }),
    });
    expect(((await zero.json()) as { message: string }).message).toBe(
      "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const noQualifier = await fetch(`${s.url}/2019-09-30/functions/warm/provisioned-concurrency`, {
      method: 'PUT',
      body: JSON.stringify({ ProvisionedConcurrentExecutions: 1 }),
    });
    expect(((await noQualifier.json()) as { message: string }).message).toBe(
      "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null",
    );
    const list = await s.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'warm' }));
    expect(list.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn)).toEqual([`${ARN}:warm:1`]);
    expect(await unreserved()).toBe(998);
  });

  it('provisions an alias, refuses overlapping configurations, and follows the alias when it moves', async () => {
    await s.lambda.send(new CreateAliasCommand({ FunctionName: 'warm', Name: 'live', FunctionVersion: '2' }));
    await put(s.lambda, 'live', 2);
    const r = await ready(s.lambda, 'live');
    expect(r.AllocatedProvisionedConcurrentExecutions).toBe(2);
    expect(await invoke(s.lambda, 'warm:live')).toMatchObject({
      init: 'provisioned-concurrency',
      release: 'two',
      version: '2',
      cold: false,
    });

    // One configuration per version: on the version itself, or on one alias pointing to it.
    expect(await errorOf(put(s.lambda, '2', 1))).toEqual([
      'ResourceConflictException',
      'Version is pointed by a Provisioned Concurrency alias',
    ]);
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'warm', Name: 'other', FunctionVersion: '1' }),
    );
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'warm', Name: 'third', FunctionVersion: '2' }),
    );
    for (const alias of ['other', 'third']) {
      expect(await errorOf(put(s.lambda, alias, 1))).toEqual([
        'ResourceConflictException',
        "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
      ]);
    }
    // ... and an alias with provisioned concurrency cannot move onto a provisioned version, or $LATEST.
    expect(
      await errorOf(
        s.lambda.send(new UpdateAliasCommand({ FunctionName: 'warm', Name: 'live', FunctionVersion: '1' })),
      ),
    ).toEqual([
      'ResourceConflictException',
      "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
    ]);
    expect(
      await errorOf(
        s.lambda.send(
          new UpdateAliasCommand({ FunctionName: 'warm', Name: 'live', FunctionVersion: '$LATEST' }),
        ),
      ),
    ).toEqual([
      'InvalidParameterValueException',
      'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
    ]);
    expect(
      (await s.lambda.send(new GetAliasCommand({ FunctionName: 'warm', Name: 'live' }))).FunctionVersion,
    ).toBe('2');
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'warm', Name: 'edge', FunctionVersion: '$LATEST' }),
    );
    expect(await errorOf(put(s.lambda, 'edge', 1))).toEqual([
      'InvalidParameterValueException',
      'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
    ]);

    const list = await s.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'warm' }));
    expect(list.ProvisionedConcurrencyConfigs).toEqual([
      expect.objectContaining({
        FunctionArn: `${ARN}:warm:1`,
        RequestedProvisionedConcurrentExecutions: 2,
        Status: 'READY',
      }),
      expect.objectContaining({
        FunctionArn: `${ARN}:warm:live`,
        RequestedProvisionedConcurrentExecutions: 2,
        Status: 'READY',
      }),
    ]);

    // Without version 1's own configuration, the alias moves there and its sandboxes follow it.
    await s.lambda.send(
      new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: '1' }),
    );
    await s.lambda.send(new UpdateAliasCommand({ FunctionName: 'warm', Name: 'live', FunctionVersion: '1' }));
    await ready(s.lambda, 'live');
    expect(await invoke(s.lambda, 'warm:live')).toMatchObject({ release: 'one', version: '1', cold: false });
    await eventually('version 2 to release its sandboxes', async () => {
      const st = await status();
      return st.sandboxes.provisionedTarget === 2 && st.sandboxes.provisioned === 2 ? true : undefined;
    });
    expect(await unreserved()).toBe(998);
    // GetFunction and ListAliases are as they were.
    expect(
      (await s.lambda.send(new GetFunctionCommand({ FunctionName: 'warm' }))).Concurrency,
    ).toBeUndefined();
    expect(
      (await s.lambda.send(new ListAliasesCommand({ FunctionName: 'warm' }))).Aliases?.map((a) => a.Name),
    ).toEqual(['edge', 'live', 'other', 'third']);
  });

  it('splits a weighted alias between its two versions, each served warm', async () => {
    await s.lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'warm',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
      }),
    );
    const r = await ready(s.lambda, 'live');
    expect(r).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
    });
    expect((await status()).sandboxes).toMatchObject({ provisionedTarget: 2, provisioned: 2 });
    for (const version of ['1', '2']) {
      expect(await invoke(s.lambda, `warm:${version}`)).toMatchObject({
        init: 'provisioned-concurrency',
        cold: false,
      });
    }
    for (let i = 0; i < 4; i++) {
      expect(await invoke(s.lambda, 'warm:live')).toMatchObject({
        init: 'provisioned-concurrency',
        cold: false,
      });
    }
    // Its settings cannot change while it routes between two versions.
    expect(await errorOf(put(s.lambda, 'live', 3))).toEqual([
      'InvalidParameterValueException',
      'Alias with weights can not be used with Provisioned Concurrency',
    ]);
  });

  it('deletes the configuration of a deleted alias or version, releasing its sandboxes', async () => {
    await s.lambda.send(new DeleteAliasCommand({ FunctionName: 'warm', Name: 'live' }));
    await put(s.lambda, '2', 1);
    await ready(s.lambda, '2');
    expect(
      (
        await s.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'warm' }))
      ).ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn),
    ).toEqual([`${ARN}:warm:2`]);
    await s.lambda.send(new DeleteAliasCommand({ FunctionName: 'warm', Name: 'third' }));
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'warm', Qualifier: '2' }));
    expect(
      (await s.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'warm' })))
        .ProvisionedConcurrencyConfigs,
    ).toEqual([]);
    await eventually('every provisioned sandbox to stop', async () => {
      const st = await status();
      return st.sandboxes.provisionedTarget === 0 && st.sandboxes.provisioned === 0 ? true : undefined;
    });
    expect(await unreserved()).toBe(1000);
  });

  it('works through the AWS CLI v2', async () => {
    const aws = awsCli(s.url);
    if (!aws) return;
    const latest = await aws([
      'lambda',
      'put-provisioned-concurrency-config',
      '--function-name',
      'warm',
      '--qualifier',
      '$LATEST',
      '--provisioned-concurrent-executions',
      '1',
    ]);
    expect(latest.code).not.toBe(0);
    expect(latest.stderr).toContain(
      'An error occurred (InvalidParameterValueException) when calling the PutProvisionedConcurrencyConfig operation: Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
    );
    const p = await aws([
      'lambda',
      'put-provisioned-concurrency-config',
      '--function-name',
      'warm',
      '--qualifier',
      'other',
      '--provisioned-concurrent-executions',
      '1',
    ]);
    expect(p.stderr).toBe('');
    expect(JSON.parse(p.stdout)).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 1,
      Status: 'IN_PROGRESS',
    });
    await eventually('the CLI to see READY', async () => {
      const g = await aws([
        'lambda',
        'get-provisioned-concurrency-config',
        '--function-name',
        'warm',
        '--qualifier',
        'other',
      ]);
      return JSON.parse(g.stdout).Status === 'READY' ? true : undefined;
    });
    const list = await aws(['lambda', 'list-provisioned-concurrency-configs', '--function-name', 'warm']);
    expect(JSON.parse(list.stdout).ProvisionedConcurrencyConfigs).toEqual([
      expect.objectContaining({
        FunctionArn: `${ARN}:warm:other`,
        AllocatedProvisionedConcurrentExecutions: 1,
      }),
    ]);
    const del = await aws([
      'lambda',
      'delete-provisioned-concurrency-config',
      '--function-name',
      'warm',
      '--qualifier',
      'other',
    ]);
    expect(del.code).toBe(0);
  });
});

describe('provisioned concurrency across a restart', () => {
  it('provisions versions again at start, and drops a $LATEST configuration from an older Nimbus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-restart-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestServer({ concurrency: 1000 }, { dataDir });
    await createFunction(first.lambda, 'kept', { 'index.js': handler('one') });
    await first.lambda.send(new PublishVersionCommand({ FunctionName: 'kept' }));
    await first.lambda.send(
      new CreateAliasCommand({ FunctionName: 'kept', Name: 'live', FunctionVersion: '1' }),
    );
    await first.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'kept', ReservedConcurrentExecutions: 5 }),
    );
    await put(first.lambda, 'live', 1, 'kept');
    await first.close();
    // What an older Nimbus stored when it applied provisioned concurrency to $LATEST.
    const db = new Database(join(dataDir, 'nimbus.db'));
    db.prepare(
      "INSERT INTO provisioned_concurrency (function, qualifier, requested, last_modified) VALUES ('kept', '$LATEST', 2, 0)",
    ).run();
    db.close();

    const lines: string[] = [];
    const logger = createLogger(
      'warn',
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const second = await startTestServer({ concurrency: 1000 }, { dataDir, logger });
    onTestFinished(() => second.close());
    await ready(second.lambda, 'live', 'kept');
    expect(await invoke(second.lambda, 'kept:live')).toMatchObject({
      init: 'provisioned-concurrency',
      cold: false,
    });
    const dropped = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.qualifier === '$LATEST');
    expect(dropped).toMatchObject({
      level: 40,
      function: 'kept',
      requested: 2,
      msg: 'dropping provisioned concurrency on $LATEST: it needs a published version or an alias now',
    });
    expect(
      (
        await second.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'kept' }))
      ).ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn),
    ).toEqual([`${ARN}:kept:live`]);
    expect(
      (await second.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit
        ?.UnreservedConcurrentExecutions,
    ).toBe(995);
  });
});

describe('provisioned concurrency spilling over', () => {
  it('serves beyond the provisioned sandboxes with on-demand ones, each saying which it is', async () => {
    const s = await startTestServer({ concurrency: 1000 });
    onTestFinished(() => s.close());
    await createFunction(s.lambda, 'spill', {
      'index.js':
        'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return process.env.AWS_LAMBDA_INITIALIZATION_TYPE; };',
    });
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'spill' }));
    await put(s.lambda, '1', 1, 'spill');
    await ready(s.lambda, '1', 'spill');
    const run = (ms: number) =>
      s.lambda.send(
        new InvokeCommand({
          FunctionName: 'spill',
          Qualifier: '1',
          Payload: JSON.stringify({ ms }),
          LogType: 'Tail',
        }),
      );
    // The provisioned sandbox is busy with one; the other needs a sandbox of its own (which one
    // gets the provisioned sandbox depends on arrival, so the pair is compared as a set).
    const busy = run(1500);
    await new Promise((r) => setTimeout(r, 300));
    const outs = [await run(0), await busy];
    const said = outs
      .map((o) => ({
        init: decodeJson(o.Payload) as string,
        cold: /Init Duration/.test(Buffer.from(o.LogResult ?? '', 'base64').toString()),
      }))
      .sort((a, b) => a.init.localeCompare(b.init));
    expect(said).toEqual([
      { init: 'on-demand', cold: true },
      { init: 'provisioned-concurrency', cold: false },
    ]);
  });
});

describe('provisioned concurrency belongs to the version it keeps warm', () => {
  it('serves the provisioned alias while $LATEST fills the unreserved pool, which alone throttles $LATEST', async () => {
    // 102: the smallest account that can provision 2 and keep AWS's minimum of 100 unreserved.
    const s = await startTestServer({ concurrency: 102 });
    onTestFinished(() => s.close());
    await createFunction(
      s.lambda,
      'busy',
      {
        'index.js':
          'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return process.env.AWS_LAMBDA_INITIALIZATION_TYPE; };',
      },
      { Timeout: 60 },
    );
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'busy' }));
    await s.lambda.send(new CreateAliasCommand({ FunctionName: 'busy', Name: 'live', FunctionVersion: '1' }));
    await put(s.lambda, 'live', 2, 'busy');
    await ready(s.lambda, 'live', 'busy');
    expect(
      (await s.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions,
    ).toBe(100);

    // A client with a socket for each of the burst (the SDK's default agent keeps 50).
    const burst = new LambdaClient({
      endpoint: s.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 200 }) },
    });
    onTestFinished(() => burst.destroy());
    const run = (client: LambdaClient, qualifier: string, ms: number) =>
      client.send(
        new InvokeCommand({ FunctionName: 'busy', Qualifier: qualifier, Payload: JSON.stringify({ ms }) }),
      );
    const throttles: unknown[] = [];
    // 102 slow invocations of $LATEST: the unreserved pool takes 100, the provisioned share of
    // version 1 is not theirs, so two are throttled.
    const latest = Array.from({ length: 102 }, () =>
      run(burst, '$LATEST', 8000).catch(
        (e: Error & { Reason?: string; $metadata?: { httpStatusCode?: number } }) => {
          throttles.push([e.name, e.message, e.Reason, e.$metadata?.httpStatusCode]);
          return undefined;
        },
      ),
    );
    await eventually(
      'two of the $LATEST burst to be throttled',
      () => (throttles.length >= 2 ? true : undefined),
      30_000,
    );
    expect(throttles).toEqual([
      ['TooManyRequestsException', 'Rate Exceeded.', 'ConcurrentInvocationLimitExceeded', 429],
      ['TooManyRequestsException', 'Rate Exceeded.', 'ConcurrentInvocationLimitExceeded', 429],
    ]);

    // The alias runs on its provisioned sandboxes, two at once, with the unreserved pool full.
    const live = await Promise.all([run(s.lambda, 'live', 0), run(s.lambda, 'live', 0)]);
    expect(
      live.map((o) => [o.StatusCode, o.ExecutedVersion, o.FunctionError, decodeJson(o.Payload)]),
    ).toEqual([
      [200, '1', undefined, 'provisioned-concurrency'],
      [200, '1', undefined, 'provisioned-concurrency'],
    ]);
    // Version 1 invoked directly uses the same share.
    const direct = await run(s.lambda, '1', 0);
    expect([direct.ExecutedVersion, decodeJson(direct.Payload)]).toEqual(['1', 'provisioned-concurrency']);

    // The burst ran: 100 on on-demand sandboxes, and nothing more was throttled meanwhile.
    const done = await Promise.all(latest);
    const ran = done.filter((o) => o !== undefined);
    expect(ran).toHaveLength(100);
    expect(new Set(ran.map((o) => `${o.ExecutedVersion} ${decodeJson(o.Payload)}`))).toEqual(
      new Set(['$LATEST on-demand']),
    );
    expect(throttles).toHaveLength(2);
  });
});

describe('provisioned concurrency configurations changed at the same time', () => {
  it('lets one of two conflicting changes through, however long the store takes to write', async () => {
    // The configurations of a real server's parts, over its SQLite store made slow to write:
    // SQLite answers at once, which hides a check-then-write race that any store taking its time
    // (the port is asynchronous) would expose.
    let config: ConcurrencyConfig | undefined;
    const slowStore = (store: ConcurrencyStore): ConcurrencyStore => ({
      all: () => store.all(),
      setReserved: async (...a) => {
        await new Promise((r) => setTimeout(r, 20));
        return store.setReserved(...a);
      },
      setProvisioned: async (...a) => {
        await new Promise((r) => setTimeout(r, 20));
        return store.setProvisioned(...a);
      },
    });
    const s = await startTestServer(
      { concurrency: 1000 },
      {
        extraFeatures: [
          (app) => {
            const c = new ConcurrencyConfig({
              store: slowStore(new SqliteConcurrencyStore(app.db)),
              limiter: new ConcurrencyLimiter(1000),
              registry: app.registry,
              sandboxes: app.sandboxes,
              invoke: app.invoke,
              clock: app.clock,
              log: app.log,
            });
            app.registry.guardAliases((record, alias) => c.checkAlias(record, alias));
            config = c;
          },
        ],
      },
    );
    onTestFinished(() => s.close());
    const c = config!;
    await createFunction(s.lambda, 'race', { 'index.js': handler('one') });
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'race' }));
    await s.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'race',
        ZipFile: await makeZip({ 'index.js': handler('two') }),
      }),
    );
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'race' }));
    await s.lambda.send(new CreateAliasCommand({ FunctionName: 'race', Name: 'a', FunctionVersion: '1' }));
    const ref = { name: 'race' };
    const configs = async () => (await c.listProvisioned(ref)).map((v) => v.functionArn.split(':').pop());
    const outcome = (settled: PromiseSettledResult<unknown>[]) =>
      settled.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error & { code?: string }).code));

    // Version 1 directly and alias `a` onto version 1: one configuration per version.
    for (let round = 0; round < 5; round++) {
      const first = round % 2 === 0 ? '1' : 'a';
      const second = first === '1' ? 'a' : '1';
      const said = outcome(
        await Promise.allSettled([c.putProvisioned(ref, first, 1), c.putProvisioned(ref, second, 1)]),
      );
      expect(said).toEqual(['ok', 'ResourceConflictException']);
      expect(await configs()).toEqual([first]);
      await c.deleteProvisioned(ref, first);
      expect(await configs()).toEqual([]);
    }

    // Alias `b` (provisioned, on version 2) moved onto version 1 while version 1 is being
    // provisioned, through the API: the alias guard and the Put take the same lock.
    await s.lambda.send(new CreateAliasCommand({ FunctionName: 'race', Name: 'b', FunctionVersion: '2' }));
    await c.putProvisioned(ref, 'b', 1);
    for (let round = 0; round < 3; round++) {
      const said = outcome(
        await Promise.allSettled([
          c.putProvisioned(ref, '1', 1),
          s.lambda.send(new UpdateAliasCommand({ FunctionName: 'race', Name: 'b', FunctionVersion: '1' })),
        ]),
      );
      expect(said.filter((o) => o === 'ok')).toHaveLength(1);
      const alias = await s.lambda.send(new GetAliasCommand({ FunctionName: 'race', Name: 'b' }));
      if (said[0] === 'ok') {
        expect([alias.FunctionVersion, await configs()]).toEqual(['2', ['1', 'b']]);
        await c.deleteProvisioned(ref, '1');
      } else {
        expect([alias.FunctionVersion, await configs()]).toEqual(['1', ['b']]);
        await s.lambda.send(
          new UpdateAliasCommand({ FunctionName: 'race', Name: 'b', FunctionVersion: '2' }),
        );
      }
    }
  });
});
