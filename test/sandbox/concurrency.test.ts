import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { awsCli } from '../support/aws-cli.js';
import { eventually } from '../support/eventually.js';
import { createFunction, decode, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SLOW = `exports.handler = async (e) => { await new Promise(r => setTimeout(r, e.ms ?? 0)); return process.env.AWS_LAMBDA_INITIALIZATION_TYPE; };`;

interface StatusBody {
  inFlight: number;
  throttles: number;
  reservedConcurrency?: number;
  concurrency: { inFlight: number };
  sandboxes: { sandboxes: number; provisioned: number; provisionedTarget: number; idle: number };
}
const statusOf = async (url: string): Promise<StatusBody> => (await (await fetch(url)).json()) as StatusBody;
const errorOf = async (r: Response): Promise<{ message: string }> => (await r.json()) as { message: string };

async function rejection(p: Promise<unknown>): Promise<Error & { name: string; $response?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected a rejection');
}

describe('reserved concurrency', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ concurrency: 1000, idleTimeoutSeconds: 1 });
    await createFunction(s.lambda, 'reserved', { 'index.js': SLOW });
    await createFunction(s.lambda, 'other', { 'index.js': SLOW });
  });
  afterAll(() => s.close());

  it('puts, gets and deletes it at the AWS paths, and shows it in GetFunction and GetAccountSettings', async () => {
    expect(
      await s.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' })),
    ).not.toHaveProperty('ReservedConcurrentExecutions');
    const put = await s.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 7 }),
    );
    expect(put.ReservedConcurrentExecutions).toBe(7);
    expect(put.$metadata.httpStatusCode).toBe(200);
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:reserved';
    expect(
      (await s.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: arn })))
        .ReservedConcurrentExecutions,
    ).toBe(7);
    expect((await s.lambda.send(new GetFunctionCommand({ FunctionName: 'reserved' }))).Concurrency).toEqual({
      ReservedConcurrentExecutions: 7,
    });
    expect(
      (await s.lambda.send(new GetFunctionCommand({ FunctionName: 'other' }))).Concurrency,
    ).toBeUndefined();
    const settings = await s.lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({
      ConcurrentExecutions: 1000,
      UnreservedConcurrentExecutions: 993,
    });

    const del = await s.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'reserved' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(
      (await s.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions,
    ).toBe(1000);
    expect(
      (await s.lambda.send(new GetFunctionCommand({ FunctionName: 'reserved' }))).Concurrency,
    ).toBeUndefined();
  });

  it('keeps 100 unreserved, as AWS does, and refuses bad values with AWS errors', async () => {
    const tooMuch = await rejection(
      s.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 901 }),
      ),
    );
    expect(tooMuch.name).toBe('InvalidParameterValueException');
    expect(tooMuch.message).toBe(
      "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    );
    await s.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 900 }),
    );
    // The rest of the account counts: 900 + 1 leaves 99.
    expect(
      (
        await rejection(
          s.lambda.send(
            new PutFunctionConcurrencyCommand({ FunctionName: 'other', ReservedConcurrentExecutions: 1 }),
          ),
        )
      ).name,
    ).toBe('InvalidParameterValueException');
    await s.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'reserved' }));

    const negative = await fetch(`${s.url}/2017-10-31/functions/reserved/concurrency`, {
      method: 'PUT',
      body: JSON.stringify({ ReservedConcurrentExecutions: -1 }),
    });
    expect(negative.status).toBe(400);
    expect(negative.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect((await errorOf(negative)).message).toBe(
      "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    const missing = await fetch(`${s.url}/2017-10-31/functions/reserved/concurrency`, {
      method: 'PUT',
      body: '{}',
    });
    expect((await errorOf(missing)).message).toBe(
      "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null",
    );
    const unknown = await rejection(
      s.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'nope', ReservedConcurrentExecutions: 1 }),
      ),
    );
    expect([unknown.name, unknown.message]).toEqual([
      'ResourceNotFoundException',
      'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope',
    ]);
    // Nothing changed.
    expect(
      (await s.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions,
    ).toBe(1000);
  });

  it('throttles a synchronous invoke over the reservation with 429, the Reason and Retry-After', async () => {
    await s.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 1 }),
    );
    const slow = s.lambda.send(
      new InvokeCommand({ FunctionName: 'reserved', Payload: JSON.stringify({ ms: 1500 }) }),
    );
    await eventually('the first invoke to be in flight', async () => {
      const st = await statusOf(`${s.url}/nimbus/v1/functions/reserved/status`);
      return st.inFlight === 1 ? true : undefined;
    });
    const throttled = await rejection(
      s.lambda.send(new InvokeCommand({ FunctionName: 'reserved', Payload: '{}' })),
    );
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect((throttled as TooManyRequestsException).Reason).toBe(
      'ReservedFunctionConcurrentInvocationLimitExceeded',
    );
    expect(throttled.message).toBe('Rate Exceeded.');

    const raw = await fetch(`${s.url}/2015-03-31/functions/reserved/invocations`, {
      method: 'POST',
      body: '{}',
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(await raw.json()).toEqual({
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      Type: 'User',
      message: 'Rate Exceeded.',
    });
    // Other functions are not held back by it.
    expect(
      decodeJson((await s.lambda.send(new InvokeCommand({ FunctionName: 'other', Payload: '{}' }))).Payload),
    ).toBe('on-demand');
    expect(decodeJson((await slow).Payload)).toBe('on-demand');
    const st = await statusOf(`${s.url}/nimbus/v1/functions/reserved/status`);
    expect(st).toMatchObject({ reservedConcurrency: 1, throttles: 2, inFlight: 0 });
    await s.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'reserved' }));
  });

  it('throttles everything at reservation 0 (a fully throttled function)', async () => {
    await s.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 0 }),
    );
    const e = await rejection(s.lambda.send(new InvokeCommand({ FunctionName: 'reserved', Payload: '{}' })));
    expect((e as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    await s.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'reserved' }));
    expect(
      decode((await s.lambda.send(new InvokeCommand({ FunctionName: 'reserved', Payload: '{}' }))).Payload),
    ).toBe('"on-demand"');
  });

  it('works through the AWS CLI v2', async () => {
    const aws = awsCli(s.url);
    if (!aws) return;
    const put = await aws([
      'lambda',
      'put-function-concurrency',
      '--function-name',
      'other',
      '--reserved-concurrent-executions',
      '3',
    ]);
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toEqual({ ReservedConcurrentExecutions: 3 });
    const get = await aws(['lambda', 'get-function-concurrency', '--function-name', 'other']);
    expect(JSON.parse(get.stdout)).toEqual({ ReservedConcurrentExecutions: 3 });
    expect((await aws(['lambda', 'delete-function-concurrency', '--function-name', 'other'])).code).toBe(0);
  });
});

describe('account concurrency', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ concurrency: 2 });
    await createFunction(s.lambda, 'slow', { 'index.js': SLOW });
  });
  afterAll(() => s.close());

  it('throttles the invoke over the account limit with ConcurrentInvocationLimitExceeded', async () => {
    const running = [1, 2].map(() =>
      s.lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: JSON.stringify({ ms: 1500 }) })),
    );
    await eventually('two invokes in flight', async () => {
      const st = await statusOf(`${s.url}/nimbus/v1/status`);
      return st.concurrency.inFlight === 2 ? true : undefined;
    });
    const e = await rejection(s.lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: '{}' })));
    expect((e as TooManyRequestsException).Reason).toBe('ConcurrentInvocationLimitExceeded');
    await Promise.all(running);
    // Below 100, the whole limit stays unreserved: only a reservation of 0 is possible.
    const put = await rejection(
      s.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'slow', ReservedConcurrentExecutions: 1 }),
      ),
    );
    expect(put.message).toMatch(/below its minimum value of \[2\]\.$/);
  });
});

describe('concurrency settings across a restart', () => {
  it('keeps reserved concurrency', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-restart-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestServer({ concurrency: 1000 }, { dataDir });
    await createFunction(first.lambda, 'kept', { 'index.js': SLOW });
    await first.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'kept', ReservedConcurrentExecutions: 3 }),
    );
    await first.close();

    const second = await startTestServer({ concurrency: 1000 }, { dataDir });
    onTestFinished(() => second.close());
    expect(
      (await second.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'kept' })))
        .ReservedConcurrentExecutions,
    ).toBe(3);
    expect(
      (await second.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit
        ?.UnreservedConcurrentExecutions,
    ).toBe(997);
  });
});
