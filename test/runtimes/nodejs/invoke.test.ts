import { beforeAll, describe, expect, it } from 'vitest';
import { assertRuntimeBuilt, exitOf, type RecordedRequest, startFunction } from './harness.js';

beforeAll(assertRuntimeBuilt);

interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

function expectError(outcome: RecordedRequest, errorType: string): ErrorBody {
  expect(outcome.path).toMatch(/\/error$/);
  expect(outcome.headers['lambda-runtime-function-error-type']).toBe(errorType);
  const body = outcome.json() as ErrorBody;
  expect(body.errorType).toBe(errorType);
  return body;
}

const handler = (source: string) => ({ 'index.js': source });

describe('results', () => {
  it('posts JSON.stringify(result ?? null) and serves invokes one after another', async () => {
    const { api } = await startFunction(
      handler(
        'let calls = 0; exports.handler = async (event) => (++calls === 1 ? undefined : { calls, event });',
      ),
    );
    const first = await api.invoke({});
    expect(first.path).toMatch(/\/response$/);
    expect(first.body.toString()).toBe('null');
    expect((await api.invoke({ x: 1 })).json()).toEqual({ calls: 2, event: { x: 1 } });
    await api.waitFor((r) => api.requests.indexOf(r) === 4, 'the third GET next');
    expect(api.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual([
      'GET next',
      'POST response',
      'GET next',
      'POST response',
      'GET next',
    ]);
    // One keep-alive connection carries everything.
    expect(new Set(api.requests.map((r) => r.connection))).toEqual(new Set([1]));
  });

  it('says how long each invoke took inside the runtime (Nimbus-Handler-Ms)', async () => {
    const { api } = await startFunction(
      handler(
        'exports.handler = async (e) => { const until = Date.now() + e.ms; while (Date.now() < until); return 1; };',
      ),
    );
    const quick = Number((await api.invoke({ ms: 0 })).headers['nimbus-handler-ms']);
    const busy = Number((await api.invoke({ ms: 60 })).headers['nimbus-handler-ms']);
    expect(quick).toBeGreaterThanOrEqual(0);
    expect(quick).toBeLessThan(50);
    expect(busy).toBeGreaterThanOrEqual(59);
  });

  it('fails with "Unable to stringify response body" when the result cannot be serialised', async () => {
    const { api } = await startFunction(handler('exports.handler = async () => ({ big: 1n });'));
    expect(expectError(await api.invoke({}), 'Error').errorMessage).toBe('Unable to stringify response body');
  });
});

describe('errors', () => {
  it('reports a thrown Error with its name, message and stack', async () => {
    const { api } = await startFunction(handler('exports.handler = async () => { null.x; };'));
    const body = expectError(await api.invoke({}), 'TypeError');
    expect(body.errorMessage).toMatch(/Cannot read properties of null/);
    expect(body.trace[0]).toBe(`TypeError: ${body.errorMessage}`);
    expect(body.trace[1]).toMatch(/^ {4}at /);
  });

  it('reports a thrown non-Error as typeof / String() with an empty trace', async () => {
    const { api } = await startFunction(handler('exports.handler = () => { throw "boom"; };'));
    expect(expectError(await api.invoke({}), 'string')).toEqual({
      errorType: 'string',
      errorMessage: 'boom',
      trace: [],
    });
  });

  it('reports a rejected promise', async () => {
    const { api } = await startFunction(
      handler('exports.handler = () => Promise.reject(new RangeError("nope"));'),
    );
    expect(expectError(await api.invoke({}), 'RangeError').errorMessage).toBe('nope');
  });

  it('posts the error then exits 129 on an uncaught exception', async () => {
    const { api, runtime } = await startFunction(
      handler(
        'exports.handler = async () => { setTimeout(() => { throw new Error("late"); }); return new Promise(() => {}); };',
      ),
    );
    expect(expectError(await api.invoke({}), 'Error').errorMessage).toBe('late');
    expect((await exitOf(runtime)).code).toBe(129);
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection and exits 128', async () => {
    const { api, runtime } = await startFunction(
      handler(
        'exports.handler = async () => { Promise.reject(new Error("dropped")); return new Promise(() => {}); };',
      ),
    );
    expect(expectError(await api.invoke({}), 'Runtime.UnhandledPromiseRejection').errorMessage).toBe(
      'Error: dropped',
    );
    expect((await exitOf(runtime)).code).toBe(128);
  });

  it('fails an async handler whose promise never settles with Runtime.NodeJsExit', async () => {
    const { api } = await startFunction(handler('exports.handler = async () => new Promise(() => {});'));
    expect(expectError(await api.invoke({}), 'Runtime.NodeJsExit').errorMessage).toMatch(/never settled/);
  });
});

describe('callback handlers (nodejs20.x/22.x)', () => {
  // The result object is serialised when it is posted, so the timer's mark shows whether the
  // runtime waited for the event loop to drain.
  const CALLBACK_WITH_TIMER = `exports.handler = (event, context, callback) => {
    context.callbackWaitsForEmptyEventLoop = event.wait;
    const result = { timerRan: false };
    setTimeout(() => { result.timerRan = true; }, 20);
    callback(null, result);
  };`;

  it('waits for the event loop to drain by default', async () => {
    const { api } = await startFunction(handler(CALLBACK_WITH_TIMER));
    expect((await api.invoke({ wait: true })).json()).toEqual({ timerRan: true });
  });

  it('answers at once when callbackWaitsForEmptyEventLoop is false', async () => {
    const { api } = await startFunction(handler(CALLBACK_WITH_TIMER));
    expect((await api.invoke({ wait: false })).json()).toEqual({ timerRan: false });
  });

  it('posts callback(error) immediately', async () => {
    const { api } = await startFunction(
      handler(
        'exports.handler = (e, c, cb) => { setTimeout(() => {}, 5_000); cb(new Error("cb failed")); };',
      ),
    );
    expect(expectError(await api.invoke({}), 'Error').errorMessage).toBe('cb failed');
  });

  it('succeeds with null when a sync handler never calls back', async () => {
    const { api } = await startFunction(
      handler('exports.handler = (e, c, cb) => { setTimeout(() => {}, 5); };'),
    );
    expect((await api.invoke({})).body.toString()).toBe('null');
  });

  it('supports context.succeed and reports context.fail() as "handled"; first completion wins', async () => {
    const { api } = await startFunction(
      handler(`exports.handler = (event, context, callback) => {
        if (event.ok) { context.succeed("yes"); context.fail(new Error("ignored")); }
        else { context.fail(); callback(null, "ignored"); }
      };`),
    );
    expect((await api.invoke({ ok: true })).json()).toBe('yes');
    expect(expectError(await api.invoke({ ok: false }), 'string')).toEqual({
      errorType: 'string',
      errorMessage: 'handled',
      trace: [],
    });
  });
});

describe('context', () => {
  it('exposes the invocation and function data', async () => {
    const { api } = await startFunction(
      handler(`exports.handler = async (event, context) => ({
        ...JSON.parse(JSON.stringify(context)),
        remaining: context.getRemainingTimeInMillis(),
        clientContext: context.clientContext,
        identity: context.identity,
        traceEnv: process.env._X_AMZN_TRACE_ID,
        hasDone: typeof context.done,
      });`),
    );
    const outcome = await api.invoke(
      {},
      {
        requestId: 'req-1',
        timeoutMs: 60_000,
        headers: {
          'Lambda-Runtime-Client-Context': '{"custom":{"k":"v"},"env":{"platform":"test"}}',
          'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
          'Lambda-Runtime-Trace-Id':
            'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
          'Lambda-Runtime-Aws-Tenant-Id': 'tenant-a',
        },
      },
    );
    const context = outcome.json() as Record<string, unknown>;
    expect(context).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'fn',
      functionVersion: '$LATEST',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/fn',
      logStreamName: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      awsRequestId: 'req-1',
      tenantId: 'tenant-a',
      clientContext: { custom: { k: 'v' }, env: { platform: 'test' } },
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      traceEnv: 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
      hasDone: 'function',
    });
    expect(context.remaining).toBeGreaterThan(50_000);
    expect(context.remaining).toBeLessThanOrEqual(60_000);
  });
});
