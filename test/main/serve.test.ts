import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { freePort } from '../support/nimbus-process.js';
import { TEST_CREDENTIALS } from '../support/server.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'nimbus.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-serve-'));
  dirs.push(dir);
  return dir;
};

interface Served {
  child: ChildProcess;
  url: string;
  /** The data dir the server reports in its listening line. */
  dataDir: string;
  exited: Promise<number | null>;
}

/**
 * `nimbus serve` (by default `--port 0 --data-dir <fresh dir>`), with only PATH and `env` in its
 * environment; resolves once its structured log says it listens.
 */
async function serve(
  args: string[] = ['--port', '0', '--data-dir', tempDir()],
  env: Record<string, string> = {},
): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  children.push(child);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const listening = await new Promise<{ url: string; dataDir: string }>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { url?: string; dataDir?: string; msg?: string };
      if (entry.url && entry.msg?.includes('listening')) ok({ url: entry.url, dataDir: entry.dataDir ?? '' });
    });
    void exited.then((code) => fail(new Error(`nimbus serve exited with ${code} before listening`)));
  });
  return { child, exited, ...listening };
}

/** `nimbus serve` that is expected to refuse to start: its exit code and stderr. */
async function refused(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  return { code, stderr };
}

const children_of = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
/** Running (a zombie waiting for its new parent to reap it is gone already). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('nimbus serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops gracefully on %s: no sandbox outlives the server',
    async (signal) => {
      const { child, url, exited } = await serve();
      const lambda = new LambdaClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
      });
      await createFunction(
        lambda,
        'slow',
        {
          'index.js':
            'exports.handler = async (e) => { await new Promise(r => setTimeout(r, e.ms)); return process.pid; };',
        },
        { Timeout: 60 },
      );
      await lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{"ms":1}') }));
      // Sandboxes (and pre-started runtimes) are the server's children whatever the isolation;
      // under bubblewrap a function's own pid is that of its pid namespace, so look from outside.
      const before = children_of(child.pid!).length;
      expect(before).toBeGreaterThan(0);
      // One invocation still running when the signal arrives, in a sandbox of its own.
      const inFlight = lambda
        .send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{"ms":30000}') }))
        .catch((e: unknown) => e);
      const deadline = Date.now() + 10_000;
      while (children_of(child.pid!).length <= before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const sandboxes = children_of(child.pid!).flatMap((pid) => [pid, ...children_of(pid)]);
      child.kill(signal);
      expect(await exited).toBe(0);
      for (const pid of sandboxes) expect(alive(pid), `sandbox ${pid} outlived the server`).toBe(false);
      await inFlight;
      lambda.destroy();
    },
  );

  it('is configured by NIMBUS_HOST, NIMBUS_PORT and NIMBUS_DATA_DIR alone', async () => {
    const port = await freePort();
    const dataDir = join(tempDir(), 'data'); // not there yet: serve creates it
    const served = await serve([], {
      NIMBUS_HOST: '127.0.0.1',
      NIMBUS_PORT: String(port),
      NIMBUS_DATA_DIR: dataDir,
    });
    expect(served.url).toBe(`http://127.0.0.1:${port}`);
    expect(served.dataDir).toBe(dataDir);
    expect(existsSync(join(dataDir, 'nimbus.db'))).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toMatchObject({ status: 'ok' });
    const lambda = new LambdaClient({
      endpoint: served.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    await createFunction(lambda, 'configured', { 'index.js': 'exports.handler = async () => "from env";' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'configured' }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"from env"');
    lambda.destroy();
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    // The function is kept in that data dir: a server started there again serves it.
    const again = await serve(['--port', '0'], { NIMBUS_DATA_DIR: dataDir });
    const listed = (await (await fetch(`${again.url}/2015-03-31/functions`)).json()) as {
      Functions: { FunctionName: string }[];
    };
    expect(listed.Functions.map((f) => f.FunctionName)).toEqual(['configured']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('--host and --port win over NIMBUS_HOST and NIMBUS_PORT; bad values are refused', async () => {
    const port = await freePort();
    const env = { NIMBUS_HOST: '0.0.0.0', NIMBUS_PORT: 'not-a-port', NIMBUS_DATA_DIR: tempDir() };
    // Listening beyond loopback needs credentials, and the port must be a number.
    const beyond = await refused(['--port', String(port)], env);
    expect(beyond.code).not.toBe(0);
    expect(beyond.stderr).toContain('listening on 0.0.0.0 (beyond loopback) requires credentials');
    const badPort = await refused(['--host', '127.0.0.1'], env);
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr).toMatch(/invalid server configuration.*port/);
    const served = await serve(['--host', '127.0.0.2', '--port', String(port)], env);
    expect(served.url).toBe(`http://127.0.0.2:${port}`);
    expect((await fetch(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
    // Only the address asked for: nothing listens on 127.0.0.1 at that port.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  });
});
