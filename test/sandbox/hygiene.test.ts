import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../support/eventually.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, TEST_CREDENTIALS } from '../support/server.js';
import { requireBwrap } from '../support/system-tools.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** A handler that leaves a process of its own behind (in a session of its own) and returns. */
const LEAVES_A_PROCESS = (tag: string) =>
  `const { spawn } = require('node:child_process');
  exports.handler = async () => { spawn('/bin/sh', ['-c', 'sleep 600; :', '${tag}'], { stdio: 'ignore', detached: true }).unref(); return 'left'; };`;

function hostProcesses(needle: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(needle)) n++;
    } catch {
      // gone
    }
  }
  return n;
}

/** `nimbus serve` as a process of its own, so the test can kill it like a crash would. */
async function serve(dataDir: string, isolation: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'nimbus.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--isolation', isolation],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`nimbus exited with ${code}: ${out}`)));
  });
  return { url, child };
}

const lambdaAt = (url: string) => {
  const lambda = new LambdaClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  onTestFinished(() => lambda.destroy());
  return lambda;
};

describe('no process outlives the server', () => {
  it('after a graceful shutdown, nothing it started is left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-shutdown-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const s = await startTestServer({ prestart: 2 }, { dataDir });
    await createFunction(s.lambda, 'leaver', { 'index.js': LEAVES_A_PROCESS('tag-shutdown-621') });
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'leaver' }));
    expect(decodeJson(out.Payload)).toBe('left');
    // (Two for a moment while the shell forks its sleep.)
    expect(hostProcesses('tag-shutdown-621')).toBeGreaterThanOrEqual(1);
    await s.close();
    await eventually('the left process to be gone', () =>
      hostProcesses('tag-shutdown-621') === 0 ? true : undefined,
    );
    expect(readdirSync(join(dataDir, 'run'))).toEqual([]);
  });

  it('after a crash of a server running plain processes, the next start ends what it left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-crash-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await serve(dataDir, 'process');
    await createFunction(lambdaAt(first.url), 'leaver', { 'index.js': LEAVES_A_PROCESS('tag-crash-622') });
    await lambdaAt(first.url).send(new InvokeCommand({ FunctionName: 'leaver' }));
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // Plain processes do not die with the server: the sandbox and what it started are orphans now.
    expect(hostProcesses('tag-crash-622')).toBeGreaterThanOrEqual(1);
    expect(readdirSync(join(dataDir, 'run')).length).toBeGreaterThan(0);

    const second = await serve(dataDir, 'process');
    await eventually('the orphans to be ended', () =>
      hostProcesses('tag-crash-622') === 0 ? true : undefined,
    );
    // Only what the new server started is recorded.
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    expect(readdirSync(join(dataDir, 'run'))).toEqual([]);
  });

  it('under bubblewrap, sandboxes die with a crashed server at once', async (ctx) => {
    if (!requireBwrap()) ctx.skip();
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-crash-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await serve(dataDir, 'bwrap');
    await createFunction(lambdaAt(server.url), 'leaver', { 'index.js': LEAVES_A_PROCESS('tag-crash-623') });
    await lambdaAt(server.url).send(new InvokeCommand({ FunctionName: 'leaver' }));
    expect(hostProcesses('tag-crash-623')).toBeGreaterThanOrEqual(1);
    server.child.kill('SIGKILL');
    await eventually('the sandbox to die with the server', () =>
      hostProcesses('tag-crash-623') === 0 ? true : undefined,
    );
    // The next start removes the rest (cgroups, the socket folder) and records nothing stale.
    const records = readdirSync(join(dataDir, 'run'));
    expect(records).toContain('executor');
    const again = await serve(dataDir, 'bwrap');
    again.child.kill('SIGTERM');
    await new Promise((resolve) => again.child.once('exit', resolve));
    expect(readdirSync(join(dataDir, 'run'))).toEqual([]);
  });
});
