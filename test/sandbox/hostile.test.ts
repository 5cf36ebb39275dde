import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { createFunction, decode, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { requireBwrap } from '../support/system-tools.js';
import { TUTORIAL_BOOTSTRAP, TUTORIAL_FUNCTION } from '../support/tutorial-runtime.js';

/**
 * Hostile functions under bubblewrap (issue 4, "Bad input"): each is contained, reported with the
 * right error, and the server and other functions keep serving. Limits that need cgroups are
 * skipped, with a message, on hosts that do not let the server create them.
 */
const bwrap = requireBwrap();
// A variable of the server's own environment that no sandbox may see.
process.env.NIMBUS_SERVER_CANARY = 'canary-3f9a';

let s: TestServer;
let limits = 'none';
beforeAll(async () => {
  if (!bwrap) return;
  s = await startTestServer({ isolation: 'bwrap', concurrency: 100 });
  const status = (await (await fetch(`${s.url}/nimbus/v1/status`)).json()) as {
    sandboxing: { limits: string };
  };
  limits = status.sandboxing.limits;
  if (limits === 'none')
    console.warn('skipping the memory and fork-bomb cases: this host does not allow creating cgroups');
  const fn = (name: string, code: string, extra = {}) =>
    createFunction(s.lambda, name, { 'index.js': code }, { Timeout: 3, ...extra });
  await Promise.all([
    fn('hello', `exports.handler = async () => 'hello';`),
    fn(
      'glutton',
      `exports.handler = async () => { const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1)); };`,
    ),
    fn(
      'forker',
      `const { spawn } = require('node:child_process');
      exports.handler = async () => {
        // The classic shell fork bomb, tagged so the host can find what is left of it.
        spawn('/bin/sh', ['-c', 'f(){ f|f & }; f', 'bomb-617'], { stdio: 'ignore', detached: true });
        for (;;) {}
      };`,
      // Time for the bomb to reach the limit on a busy host.
      { MemorySize: 1024, Timeout: 6 },
    ),
    fn('spinner', `exports.handler = async () => { for (;;) {} };`, { Timeout: 1 }),
    fn(
      'filler',
      `const fs = require('node:fs');
      exports.handler = async () => {
        const chunk = Buffer.alloc(16 << 20, 7);
        let written = 0;
        try { for (let i = 0; i < 1024; i++) { fs.appendFileSync('/tmp/fill', chunk); written += chunk.length; } }
        catch (e) { return { code: e.code, writtenMb: Math.round(written / 1048576) }; }
        return { code: null, writtenMb: Math.round(written / 1048576) };
      };`,
      { MemorySize: 1024, EphemeralStorage: { Size: 512 } },
    ),
    fn(
      'snoop',
      `const fs = require('node:fs');
      const attempt = (f) => { try { return { ok: true, value: f() }; } catch (e) { return { ok: false, code: e.code }; } };
      exports.handler = async (e) => ({
        pid1Environ: attempt(() => fs.readFileSync('/proc/1/environ', 'latin1')),
        selfEnviron: attempt(() => fs.readFileSync('/proc/self/environ', 'latin1')),
        serverEnviron: attempt(() => fs.readFileSync('/proc/' + e.serverPid + '/environ', 'latin1')),
        envHasCanary: JSON.stringify(process.env).includes('canary-3f9a'),
        dataDir: attempt(() => fs.readdirSync(e.dataDir)),
        otherCode: attempt(() => fs.readdirSync(e.otherCode)),
        root: fs.readdirSync('/').sort(),
        processes: fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).length,
        writeTask: attempt(() => fs.writeFileSync('/var/task/x', 'x')),
        writeRoot: attempt(() => fs.writeFileSync('/x', 'x')),
        writeTmp: attempt(() => fs.writeFileSync('/tmp/x', 'x')),
        uid: process.getuid(),
        user: require('node:os').userInfo().username,
        killServer: attempt(() => process.kill(e.serverPid, 'SIGKILL')),
        cwd: process.cwd(),
      });`,
    ),
    fn(
      'flooder',
      `exports.handler = async () => { const line = 'x'.repeat(64 * 1024) + '\\n'; for (;;) process.stdout.write(line); };`,
    ),
    fn(
      'parricide',
      `exports.handler = async () => {
        const r = {};
        for (const [k, pid] of [['parent', process.ppid], ['all', -1]]) {
          try { process.kill(pid, 'SIGKILL'); r[k] = 'sent'; } catch (e) { r[k] = e.code; }
        }
        return r;
      };`,
    ),
    fn(
      'tree',
      `const { spawn } = require('node:child_process');
      exports.handler = async () => { spawn('/bin/sleep', ['618'], { stdio: 'ignore', detached: true }).unref(); for (;;) {} };`,
      { Timeout: 1 },
    ),
    fn('address', `exports.handler = async () => process.env.AWS_LAMBDA_RUNTIME_API;`),
    fn(
      'intruder',
      `const net = require('node:net');
      const fs = require('node:fs');
      const tryConnect = (path) => new Promise((resolve) => {
        const socket = net.connect({ path }, () => { socket.destroy(); resolve('connected'); });
        socket.on('error', (err) => resolve(err.code));
      });
      exports.handler = async () => {
        // Every Runtime API socket on the host, as the kernel lists them to anyone.
        const paths = [...new Set(fs.readFileSync('/proc/net/unix', 'latin1').split('\\n')
          .map((l) => l.trim().split(/\\s+/)[7]).filter((p) => p && p.endsWith('runtime.sock')))];
        const others = paths.filter((p) => p !== '/run/nimbus/runtime.sock');
        return { seen: others.length, results: await Promise.all(others.map(tryConnect)) };
      };`,
    ),
    fn(
      'port-intruder',
      `const http = require('node:http');
      const fs = require('node:fs');
      const ask = (port) => new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/2018-06-01/runtime/invocation/next', timeout: 1000 }, (res) => {
          res.resume(); resolve(res.statusCode);
        });
        req.on('timeout', () => { req.destroy(); resolve('blocked: the endpoint took the request'); });
        req.on('error', (err) => resolve(err.code));
      });
      exports.handler = async () => {
        // Every listening loopback TCP port, as /proc/net/tcp lists them to anyone on the network.
        const ports = [...new Set(fs.readFileSync('/proc/net/tcp', 'latin1').split('\\n').slice(1)
          .map((l) => l.trim().split(/\\s+/)).filter((f) => f[3] === '0A' && f[1]?.startsWith('0100007F:'))
          .map((f) => parseInt(f[1].split(':')[1], 16)))];
        const results = {};
        for (const port of ports) results[port] = await ask(port);
        return results;
      };`,
      { Timeout: 30 },
    ),
  ]);
  await createFunction(
    s.lambda,
    'shell-victim',
    {
      bootstrap: { content: TUTORIAL_BOOTSTRAP, mode: 0o100755 },
      'function.sh': { content: TUTORIAL_FUNCTION, mode: 0o100755 },
    },
    { Runtime: 'provided.al2023', Handler: 'function.handler' },
  );
});
afterAll(() => s?.close());

const invoke = (name: string, event: unknown = {}) =>
  s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event), LogType: 'Tail' }));
const tail = (out: InvokeCommandOutput) => Buffer.from(out.LogResult ?? '', 'base64').toString();
/** Listening loopback TCP ports whose sockets `pid` holds (the server runs in the test's process). */
function loopbackPortsOwnedBy(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && f[1]?.startsWith('0100007F:') && f[9] && inodes.has(f[9])) {
      ports.add(Number.parseInt(f[1].split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
/** Host processes whose command line contains `needle`. */
function hostProcesses(needle: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').includes(needle)) n++;
    } catch {
      // gone
    }
  }
  return n;
}
/** The cgroup folders of each running sandbox, from the server's records of what it started. */
function recordedGroups(): string[][] {
  const dir = join(s.dataDir, 'run');
  return readdirSync(dir)
    .filter((f) => f !== 'executor')
    .flatMap((f) => {
      try {
        return [(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cgroups: string[] }).cgroups];
      } catch {
        return [];
      }
    });
}
/** The pids controller of a sandbox's groups (v1 or v2): its limit and how many forks it refused. */
function pidsEvents(groups: string[]): { limit: number; max: number } | undefined {
  for (const dir of groups) {
    try {
      const events = readFileSync(join(dir, 'pids.events'), 'utf8');
      return {
        limit: Number(readFileSync(join(dir, 'pids.max'), 'utf8')),
        max: Number(/max (\d+)/.exec(events)?.[1] ?? 0),
      };
    } catch {
      // not the pids controller's folder
    }
  }
  return undefined;
}
/** Another function answers quickly while a hostile one runs. */
async function othersStillServe(): Promise<void> {
  const t = performance.now();
  expect(decodeJson((await invoke('hello')).Payload)).toBe('hello');
  expect(performance.now() - t).toBeLessThan(2000);
}

describe.skipIf(!bwrap)('hostile functions under bubblewrap', () => {
  it('sees only its own code, runtime and /tmp: not the server, its environment, the data dir or other functions', async () => {
    const other = (await s.nimbus.registry.resolve({ name: 'hello' })).codeDir;
    const out = await invoke('snoop', { serverPid: process.pid, dataDir: s.dataDir, otherCode: other });
    const r = decodeJson(out.Payload) as Record<string, { ok: boolean; value?: unknown; code?: string }> & {
      root: string[];
      processes: number;
      uid: number;
      user: string;
      cwd: string;
      envHasCanary: boolean;
    };
    expect(out.FunctionError).toBeUndefined();
    expect(r.envHasCanary).toBe(false);
    for (const environ of [r.pid1Environ, r.selfEnviron]) {
      expect(environ?.ok).toBe(true);
      expect(String(environ?.value)).not.toContain('canary-3f9a');
    }
    expect(r.serverEnviron).toEqual({ ok: false, code: 'ENOENT' });
    expect(r.killServer).toEqual({ ok: false, code: 'ESRCH' });
    expect(r.dataDir).toEqual({ ok: false, code: 'ENOENT' });
    expect(r.otherCode).toEqual({ ok: false, code: 'ENOENT' });
    const allowed = [
      'bin',
      'dev',
      'etc',
      'lib',
      'lib32',
      'lib64',
      'libx32',
      'opt',
      'proc',
      'run',
      'sbin',
      'tmp',
      'usr',
      'var',
    ];
    expect(r.root.filter((d) => !allowed.includes(d))).toEqual([]);
    expect(r.processes).toBeLessThanOrEqual(3);
    expect(r.writeTask).toEqual({ ok: false, code: 'EROFS' });
    expect(r.writeRoot).toEqual({ ok: false, code: 'EROFS' });
    expect(r.writeTmp?.ok).toBe(true);
    expect([r.uid, r.user, r.cwd]).toEqual([993, 'sbx_user1051', '/var/task']);
    expect(process.env.NIMBUS_SERVER_CANARY).toBe('canary-3f9a');
  });

  it('cannot reach another sandbox’s Runtime API', async () => {
    // Another sandbox is up, with its Runtime API socket on the host.
    expect(decodeJson((await invoke('address')).Payload)).toBe('unix:/run/nimbus/runtime.sock');
    const r = decodeJson((await invoke('intruder')).Payload) as { seen: number; results: string[] };
    expect(r.seen).toBeGreaterThan(0);
    expect(r.results).toEqual(r.results.map(() => 'ENOENT'));
    // The victim's sandbox is intact and serves its next invocation.
    expect(decodeJson((await invoke('address')).Payload)).toBe('unix:/run/nimbus/runtime.sock');
  });

  it('cannot use the loopback Runtime API of a custom runtime: it answers only its own sandbox', async () => {
    // A shell bootstrap speaks host:port; warm it so it waits on GET next.
    const first = await invoke('shell-victim', { n: 1 });
    expect(first.FunctionError).toBeUndefined();
    const scanned = decodeJson((await invoke('port-intruder')).Payload) as Record<string, unknown>;
    // Judge only the ports of this server (its gateway and the sandboxes' endpoints): other test
    // files run their own servers on this host at the same time, and those are not under test.
    const own = loopbackPortsOwnedBy(process.pid);
    const results = Object.fromEntries(Object.entries(scanned).filter(([port]) => own.has(Number(port))));
    // The victim's endpoint is among them, and it refused (404) like every other port did.
    expect(Object.values(results)).toContain(404);
    for (const [port, result] of Object.entries(results)) {
      expect(String(result), `port ${port}`).not.toMatch(/^blocked/);
      expect(result, `port ${port}`).not.toBe(200);
    }
    const again = await invoke('shell-victim', { n: 2 });
    expect(again.FunctionError).toBeUndefined();
  });

  it('allocating without end: Runtime.OutOfMemory, Max Memory Used = Memory Size', async (ctx) => {
    if (limits === 'none') ctx.skip();
    const out = await invoke('glutton');
    expect(out.FunctionError).toBe('Unhandled');
    const body = decodeJson(out.Payload) as { errorType: string; errorMessage: string };
    expect(body.errorType).toBe('Runtime.OutOfMemory');
    expect(body.errorMessage).toMatch(/^RequestId: [\w-]+ Error: Runtime exited with error: signal: killed$/);
    expect(tail(out)).toMatch(/Memory Size: 128 MB\tMax Memory Used: 128 MB/);
    await othersStillServe();
  });

  it('forking without end hits the task limit, times out, and leaves no process behind', async (ctx) => {
    if (limits === 'none') ctx.skip();
    const running = invoke('forker');
    // The bomb's group refuses forks: its pids controller counts them ("max" events).
    const refused = await eventually('the fork bomb to hit the task limit', () =>
      recordedGroups()
        .map(pidsEvents)
        .find((e) => e !== undefined && e.max > 0),
    );
    expect(refused.limit).toBe(1024);
    await othersStillServe();
    const out = await running;
    expect((decodeJson(out.Payload) as { errorType: string }).errorType).toBe('Sandbox.Timedout');
    await eventually(
      'the fork bomb to be gone',
      () => (hostProcesses('bomb-617') === 0 ? true : undefined),
      5000,
    );
  });

  it('spinning forever: Sandbox.Timedout, while others serve', async () => {
    const running = invoke('spinner');
    await othersStillServe();
    const out = await running;
    expect((decodeJson(out.Payload) as { errorType: string }).errorType).toBe('Sandbox.Timedout');
    expect(decode(out.Payload)).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('writing gigabytes to /tmp stops at EphemeralStorage (ENOSPC)', async () => {
    const r = decodeJson((await invoke('filler')).Payload) as { code: string; writtenMb: number };
    expect(r.code).toBe('ENOSPC');
    expect(r.writtenMb).toBeGreaterThanOrEqual(480);
    expect(r.writtenMb).toBeLessThanOrEqual(512);
  });

  it('flooding stdout does not grow the server: the flood backs up into the function, which ends', async () => {
    const before = process.memoryUsage().rss;
    const running = invoke('flooder');
    await othersStillServe();
    const out = await running;
    // Throttled output queues in the function's own memory: its timeout or its memory cap ends it.
    expect(['Sandbox.Timedout', 'Runtime.OutOfMemory']).toContain(
      (decodeJson(out.Payload) as { errorType: string }).errorType,
    );
    await s.nimbus.recorder.flush();
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1_048_576);
  });

  it('killing its parent or everything it can see hurts only itself', async () => {
    const out = await invoke('parricide');
    // Its namespace's init ignores the signals; kill(-1) takes the runtime itself down.
    expect(['Runtime.ExitError', undefined]).toContain(
      (decodeJson(out.Payload) as { errorType?: string } | null)?.errorType,
    );
    await othersStillServe();
    expect(decodeJson((await invoke('hello')).Payload)).toBe('hello');
  });

  it('a timeout ends everything the function started', async () => {
    const out = await invoke('tree');
    expect((decodeJson(out.Payload) as { errorType: string }).errorType).toBe('Sandbox.Timedout');
    await eventually(
      'the started process to be gone',
      () => (hostProcesses('/bin/sleep 618') === 0 ? true : undefined),
      3000,
    );
  });
});
