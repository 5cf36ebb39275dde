import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/nimbus.js', import.meta.url));

export interface NimbusProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** stderr so far (startup failures, crash reports). */
  stderr(): string;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** `nimbus serve` (the build) in its own process; resolves once `/healthz` answers. */
export async function spawnNimbus(args: string[], timeoutMs = 30_000): Promise<NimbusProcess> {
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : await freePort();
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      ...(args.includes('--port') ? [] : ['--port', String(port)]),
      '--log-level',
      'warn',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NIMBUS_ENDPOINT: '' } },
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nimbus serve exited before it was ready: ${err}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nimbus serve not healthy after ${timeoutMs} ms: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, exited, stderr: () => err };
}
