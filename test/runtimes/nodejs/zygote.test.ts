import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  assertRuntimeBuilt,
  exitOf,
  FakeRuntimeApi,
  lambdaEnv,
  makeTaskRoot,
  RUNTIME_ENTRY,
  spawnRuntime,
  within,
} from './harness.js';

beforeAll(assertRuntimeBuilt);

describe('zygote mode', () => {
  it('waits for its environment on stdin, then becomes the function', async () => {
    const api = await FakeRuntimeApi.start();
    const taskRoot = makeTaskRoot({
      // A callback answered only once the event loop drains: proves stdin no longer holds it open.
      'index.js': `exports.handler = (event, context, callback) => callback(null, {
        cwd: process.cwd(),
        envKeys: Object.keys(process.env).sort(),
        greeting: process.env.GREETING,
        stdinDestroyed: process.stdin.destroyed,
      });`,
    });
    const elsewhere = makeTaskRoot({});
    const runtime = spawnRuntime(
      { PATH: process.env.PATH ?? '/usr/bin:/bin', NIMBUS_ZYGOTE: '1', POOL_ONLY: 'x' },
      elsewhere,
    );

    const env = lambdaEnv(api, taskRoot, { GREETING: 'hi' });
    runtime.child.stdin?.write(`${JSON.stringify({ env })}\n`);
    const outcome = await api.invoke({});

    expect(outcome.json()).toEqual({
      cwd: taskRoot,
      envKeys: Object.keys(env).sort(),
      greeting: 'hi',
      stdinDestroyed: true,
    });
    expect(api.requests[0]?.path).toBe('/2018-06-01/runtime/invocation/next');
  });

  it('exits non-zero when stdin closes without an environment', async () => {
    const runtime = spawnRuntime(
      { PATH: process.env.PATH ?? '/usr/bin:/bin', NIMBUS_ZYGOTE: '1' },
      makeTaskRoot({}),
    );
    runtime.child.stdin?.end('not json\n');
    expect((await exitOf(runtime)).code).not.toBe(0);
  });
});

describe('zygote readiness', () => {
  it('warms up, says "ready" on the descriptor it was given and closes it, then serves', async () => {
    const api = await FakeRuntimeApi.start();
    const taskRoot = makeTaskRoot({ 'index.js': 'exports.handler = async (e) => ({ echo: e });' });
    const child = spawn(process.execPath, [RUNTIME_ENTRY], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NIMBUS_ZYGOTE: '1', NIMBUS_ZYGOTE_READY_FD: '3' },
      cwd: makeTaskRoot({}),
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    const control = child.stdio[3] as Readable;
    let said = '';
    control.setEncoding('utf8').on('data', (c: string) => {
      said += c;
    });
    await within(new Promise((resolve) => control.on('end', resolve)), 'the ready descriptor to close');
    expect(said).toBe('ready\n');
    child.stdin?.write(`${JSON.stringify({ env: lambdaEnv(api, taskRoot) })}\n`);
    const outcome = await api.invoke({ n: 1 });
    expect(outcome.json()).toEqual({ echo: { n: 1 } });
    // The warm-up made no request to the platform.
    expect(api.requests[0]?.path).toBe('/2018-06-01/runtime/invocation/next');
  });
});
