import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, decode, decodeJson } from '../support/functions.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await Promise.all([
    createFunction(
      s.lambda,
      'echo',
      {
        'index.js': `
        let calls = 0;
        const started = Date.now();
        exports.handler = async (event, context) => {
          calls++;
          console.log('event', JSON.stringify(event));
          console.error('to stderr');
          return {
            event, calls, started,
            requestId: context.awsRequestId,
            fn: context.functionName, version: context.functionVersion,
            arn: context.invokedFunctionArn, memory: context.memoryLimitInMB,
            remaining: context.getRemainingTimeInMillis(),
            clientContext: context.clientContext ?? null,
            env: {
              name: process.env.AWS_LAMBDA_FUNCTION_NAME, region: process.env.AWS_REGION, tz: process.env.TZ,
              root: process.env.LAMBDA_TASK_ROOT === process.cwd(), handler: process.env._HANDLER,
              mine: process.env.MINE, exec: process.env.AWS_EXECUTION_ENV,
              secret: process.env.NIMBUS_TEST_SECRET ?? null, trace: process.env._X_AMZN_TRACE_ID ?? null,
            },
          };
        };`,
      },
      { Environment: { Variables: { MINE: 'yes' } }, Timeout: 7 },
    ),
    createFunction(s.lambda, 'thrower', {
      'index.js': `
        exports.handler = async (event) => {
          if (event.kind === 'string') throw 'boom';
          if (event.kind === 'reject') return Promise.reject(new TypeError('bad type'));
          const e = new Error('custom failure'); e.name = 'MyError'; throw e;
        };`,
    }),
    createFunction(
      s.lambda,
      'sleepy',
      {
        'index.js': `exports.handler = async (e) => { if (e.spin) { while (true) {} } await new Promise(r => setTimeout(r, e.ms)); return 'woke'; };`,
      },
      { Timeout: 1 },
    ),
    createFunction(s.lambda, 'exiter', { 'index.js': 'exports.handler = async () => { process.exit(3); };' }),
    createFunction(s.lambda, 'bigresponse', {
      'index.js': `exports.handler = async (e) => 'x'.repeat(e.n);`,
    }),
    createFunction(s.lambda, 'missing-module', { 'other.js': '' }),
    createFunction(s.lambda, 'missing-handler', { 'index.js': 'exports.other = () => 1;' }),
    createFunction(
      s.lambda,
      'esm',
      {
        'src/api/users.mjs': `const init = await Promise.resolve(42); export const handler = async () => ({ init });`,
      },
      { Handler: 'src/api/users.handler' },
    ),
    createFunction(s.lambda, 'callback', {
      'index.js': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { cb: event.v }), 5); };`,
    }),
  ]);
});
afterAll(() => s.close());

const invoke = (FunctionName: string, payload?: unknown, extra: Record<string, unknown> = {}) =>
  s.lambda.send(
    new InvokeCommand({
      FunctionName,
      ...(payload === undefined ? {} : { Payload: Buffer.from(JSON.stringify(payload)) }),
      ...extra,
    }),
  );

const tail = (out: InvokeCommandOutput) => Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');

describe('synchronous Invoke', () => {
  it('passes the event and context, and returns the result as is', async () => {
    const out = await invoke('echo', { hello: 'world' }, { LogType: 'Tail' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = decodeJson(out.Payload) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: { hello: 'world' },
      fn: 'echo',
      version: '$LATEST',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      memory: '128',
      clientContext: null,
      env: {
        name: 'echo',
        region: 'us-east-1',
        tz: ':UTC',
        root: true,
        handler: 'index.handler',
        mine: 'yes',
        exec: 'AWS_Lambda_nodejs20.x',
        secret: null,
      },
    });
    expect(body.remaining).toBeGreaterThan(5000);
    expect(body.remaining).toBeLessThanOrEqual(7000);
    expect(out.$metadata.requestId).toBe(body.requestId);
    const log = tail(out);
    expect(log).toMatch(new RegExp(`^START RequestId: ${body.requestId} Version: \\$LATEST$`, 'm'));
    expect(log).toMatch(new RegExp(`\\t${body.requestId}\\tINFO\\tevent \\{"hello":"world"\\}`));
    expect(log).toContain('to stderr');
    expect(log).toMatch(new RegExp(`^END RequestId: ${body.requestId}$`, 'm'));
    expect(log).toMatch(
      /^REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/m,
    );
  });

  it('reuses a warm sandbox: module state persists and init is not repeated', async () => {
    const a = decodeJson((await invoke('echo', {})).Payload) as { calls: number; started: number };
    const b = decodeJson((await invoke('echo', {}, { LogType: 'Tail' })).Payload) as {
      calls: number;
      started: number;
    };
    expect(b.calls).toBe(a.calls + 1);
    expect(b.started).toBe(a.started);
  });

  it('reports Init Duration on a cold start only', async () => {
    await createFunction(s.lambda, 'cold', { 'index.js': 'exports.handler = async () => 1;' });
    const first = tail(await invoke('cold', {}, { LogType: 'Tail' }));
    const second = tail(await invoke('cold', {}, { LogType: 'Tail' }));
    expect(first).toMatch(/Init Duration: \d+\.\d\d ms/);
    expect(second).not.toMatch(/Init Duration/);
  });

  it('passes X-Amz-Client-Context to context.clientContext', async () => {
    const ClientContext = Buffer.from(
      JSON.stringify({ custom: { tenant: 't1' }, env: { locale: 'en' } }),
    ).toString('base64');
    const out = await invoke('echo', {}, { ClientContext });
    expect((decodeJson(out.Payload) as { clientContext: unknown }).clientContext).toMatchObject({
      custom: { tenant: 't1' },
    });
  });

  it("sets _X_AMZN_TRACE_ID on every invocation, continuing the caller's X-Amzn-Trace-Id", async () => {
    const traceOf = async (client: LambdaClient) =>
      (
        decodeJson((await client.send(new InvokeCommand({ FunctionName: 'echo' }))).Payload) as {
          env: { trace: string | null };
        }
      ).env.trace;
    // Lambda sends a trace header even when the function is not traced (PassThrough): unsampled.
    const TRACE = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=[0-9a-f]{16};Sampled=0$/;
    const [a, b] = [await traceOf(s.lambda), await traceOf(s.lambda)];
    expect(a).toMatch(TRACE);
    expect(TRACE.exec(b!)?.[1]).not.toBe(TRACE.exec(a!)?.[1]);
    const traced = new LambdaClient({
      endpoint: s.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    traced.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-amzn-trace-id'] = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
        return next(args);
      },
      { step: 'build' },
    );
    try {
      expect(await traceOf(traced)).toMatch(
        /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/,
      );
    } finally {
      traced.destroy();
    }
  });

  it('gives an empty payload as {}', async () => {
    const out = await invoke('echo');
    expect((decodeJson(out.Payload) as { event: unknown }).event).toEqual({});
  });

  it('runs concurrent invocations in separate sandboxes', async () => {
    // A barrier in the test: each invocation checks in and waits until all four have, so they
    // can only finish if four sandboxes run at the same time.
    const { createServer } = await import('node:http');
    const waiting: import('node:http').ServerResponse[] = [];
    const barrier = createServer((_req, res) => {
      waiting.push(res);
      if (waiting.length === 4) for (const r of waiting) r.end('go');
    });
    await new Promise<void>((ok) => barrier.listen(0, '127.0.0.1', ok));
    const { port } = barrier.address() as { port: number };
    try {
      await createFunction(
        s.lambda,
        'parallel',
        {
          'index.js': `const http = require('node:http');
          exports.handler = (event, context) => new Promise((ok, fail) => {
            http.get('http://127.0.0.1:${port}/', (res) => { res.resume(); res.on('end', () => ok(context.logStreamName)); }).on('error', fail);
          });`,
        },
        { Timeout: 20 },
      );
      // One log stream per execution environment (pids repeat across bubblewrap pid namespaces).
      const streams = await Promise.all(Array.from({ length: 4 }, () => invoke('parallel', {})));
      expect(new Set(streams.map((o) => decode(o.Payload))).size).toBe(4);
    } finally {
      barrier.close();
    }
  });

  it('loads ESM handlers in nested folders with top-level await', async () => {
    expect(decodeJson((await invoke('esm', {})).Payload)).toEqual({ init: 42 });
  });

  it('supports callback handlers', async () => {
    expect(decodeJson((await invoke('callback', { v: 7 })).Payload)).toEqual({ cb: 7 });
  });
});

describe('function errors as AWS reports them', () => {
  it('thrown Error', async () => {
    const out = await invoke('thrower', {}, { LogType: 'Tail' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const err = decodeJson(out.Payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(err.errorType).toBe('MyError');
    expect(err.errorMessage).toBe('custom failure');
    expect(err.trace[0]).toBe('MyError: custom failure');
    expect(tail(out)).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"MyError"/);
  });

  it('non-Error throw and rejected promise', async () => {
    expect(decodeJson((await invoke('thrower', { kind: 'string' })).Payload)).toEqual({
      errorType: 'string',
      errorMessage: 'boom',
      trace: [],
    });
    expect(decodeJson((await invoke('thrower', { kind: 'reject' })).Payload)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'bad type',
    });
  });

  it('timeout: Sandbox.Timedout, then a fresh sandbox', async () => {
    const out = await invoke('sleepy', { ms: 5000 }, { LogType: 'Tail' });
    expect(out.FunctionError).toBe('Unhandled');
    const err = decodeJson(out.Payload) as { errorType: string; errorMessage: string };
    expect(err.errorType).toBe('Sandbox.Timedout');
    expect(err.errorMessage).toBe(
      `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
    );
    expect(tail(out)).toMatch(/Task timed out after 1\.00 seconds/);
    expect(tail(out)).toMatch(/Duration: 1000\.00 ms/);
    const next = await invoke('sleepy', { ms: 1 }, { LogType: 'Tail' });
    expect(decodeJson(next.Payload)).toBe('woke');
    expect(tail(next)).toMatch(/Init Duration/);
  });

  it('timeout even when the handler blocks the event loop', async () => {
    const out = await invoke('sleepy', { spin: true });
    expect((decodeJson(out.Payload) as { errorType: string }).errorType).toBe('Sandbox.Timedout');
  });

  it('process exit mid-invoke: Runtime.ExitError', async () => {
    const out = await invoke('exiter', {});
    expect(out.FunctionError).toBe('Unhandled');
    expect(decodeJson(out.Payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${out.$metadata.requestId} Error: Runtime exited with error: exit status 3`,
    });
  });

  it('import failure: Runtime.ImportModuleError', async () => {
    const out = await invoke('missing-module', {});
    expect(out.FunctionError).toBe('Unhandled');
    const err = decodeJson(out.Payload) as { errorType: string; errorMessage: string };
    expect(err.errorType).toBe('Runtime.ImportModuleError');
    expect(err.errorMessage).toMatch(/^Error: Cannot find module 'index'/);
  });

  it('missing handler: Runtime.HandlerNotFound', async () => {
    const out = await invoke('missing-handler', {});
    expect(decodeJson(out.Payload)).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
    });
  });

  it('response over 6 MB: Function.ResponseSizeTooLarge', async () => {
    const out = await invoke('bigresponse', { n: 6_291_556 + 10 });
    expect(out.FunctionError).toBe('Unhandled');
    expect(decodeJson(out.Payload)).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
    const ok = await invoke('bigresponse', { n: 6_000_000 });
    expect(ok.FunctionError).toBeUndefined();
    expect(decode(ok.Payload).length).toBe(6_000_002);
  });
});

describe('metering and logs', () => {
  it('LogType Tail returns the last 4 KB of the log, ending with the REPORT line', async () => {
    await createFunction(s.lambda, 'chatty', {
      'index.js': `exports.handler = async () => {
        for (let i = 0; i < 200; i++) console.log('line ' + String(i).padStart(3, '0') + ' ' + 'x'.repeat(100));
        return 'done';
      };`,
    });
    const out = await invoke('chatty', {}, { LogType: 'Tail' });
    expect(out.FunctionError).toBeUndefined();
    const bytes = Buffer.from(out.LogResult!, 'base64');
    // The function logged about 25 KB; Lambda returns only the last 4 KB.
    expect(bytes.length).toBeLessThanOrEqual(4096);
    expect(bytes.length).toBeGreaterThan(3500);
    const text = bytes.toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^REPORT RequestId: ${out.$metadata.requestId}\tDuration: \\d+\\.\\d\\d ms\tBilled Duration: \\d+ ms`,
      ),
    );
    expect(lines.at(-2)).toBe(`END RequestId: ${out.$metadata.requestId}`);
    expect(text).toContain(`\tINFO\tline 199 ${'x'.repeat(100)}`);
    expect(text).not.toContain('START RequestId');
    expect(text).not.toContain('\tINFO\tline 000 ');
    // The full log is kept all the same.
    await s.nimbus.recorder.flush();
    const logs = (await (
      await fetch(`${s.url}/nimbus/v1/functions/chatty/logs?requestId=${out.$metadata.requestId}&limit=1000`)
    ).json()) as { events: { message: string }[] };
    expect(logs.events.filter((e) => e.message.includes('\tINFO\tline '))).toHaveLength(200);
  });

  it('leaves one metering record per invocation and keeps the logs', async () => {
    await createFunction(s.lambda, 'metered', {
      'index.js': `exports.handler = async () => { console.log('metered-line'); return 1; };`,
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await invoke('metered', {})).$metadata.requestId!);
    const inv = (await (await fetch(`${s.url}/nimbus/v1/functions/metered/invocations`)).json()) as {
      invocations: {
        requestId: string;
        cold: boolean;
        billedMs: number;
        durationMs: number;
        memoryMb: number;
        outcome: string;
        maxMemoryMb: number;
        initDurationMs?: number;
      }[];
    };
    expect(inv.invocations.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    const cold = inv.invocations.filter((r) => r.cold);
    expect(cold).toHaveLength(1);
    expect(cold[0]!.initDurationMs).toBeGreaterThan(0);
    for (const r of inv.invocations) {
      expect(r.outcome).toBe('success');
      expect(r.memoryMb).toBe(128);
      // Under cgroups this is the memory charged to the sandbox's group (what its limit counts).
      expect(r.maxMemoryMb).toBeGreaterThan(4);
      expect(r.billedMs).toBe(Math.max(1, Math.ceil(r.durationMs + (r.initDurationMs ?? 0))));
    }
    const logs = (await (
      await fetch(`${s.url}/nimbus/v1/functions/metered/logs?requestId=${ids[1]}`)
    ).json()) as {
      events: { message: string; requestId: string }[];
    };
    const messages = logs.events.map((e) => e.message);
    expect(messages[0]).toBe(`START RequestId: ${ids[1]} Version: $LATEST`);
    expect(messages.some((m) => m.endsWith('\tINFO\tmetered-line'))).toBe(true);
    expect(messages.at(-1)).toMatch(/^REPORT RequestId: /);
    const usage = (await (await fetch(`${s.url}/nimbus/v1/usage?function=metered`)).json()) as {
      rows: { requests: number; gbSeconds: number; cost: number }[];
    };
    expect(usage.rows[0]!.requests).toBe(3);
    expect(usage.rows[0]!.cost).toBeGreaterThan(0);
  });
});
