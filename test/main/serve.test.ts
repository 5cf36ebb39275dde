import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { TEST_CREDENTIALS } from '../support/server.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'nimbus.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `nimbus serve --port 0`; resolves with its URL once its structured log says it listens. */
async function serve(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-serve-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH ?? '' },
  });
  children.push(child);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = await new Promise<string>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && entry.msg?.includes('listening')) ok(entry.url);
    });
    void exited.then((code) => fail(new Error(`nimbus serve exited with ${code} before listening`)));
  });
  return { child, url, exited };
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
});
