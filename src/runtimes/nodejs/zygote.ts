/**
 * Zygote mode (`NIMBUS_ZYGOTE=1`): the platform pre-starts a generic runtime before it knows the
 * function. The runtime reads exactly one line of JSON from stdin, `{"env": {...}}`, makes that
 * the whole of `process.env`, moves to `LAMBDA_TASK_ROOT`, closes stdin and only then initialises.
 * Before it waits it warms its code paths (`warmup.ts`) and, when `NIMBUS_ZYGOTE_READY_FD` names
 * a file descriptor, writes `ready\n` to it and closes it, so the platform knows which zygotes
 * can be specialised without waiting.
 */
import fs from 'node:fs';
import Module from 'node:module';
import { jsonParse } from './intrinsics.js';

/** Tells the platform this zygote is warm; the descriptor is closed so user code never sees it. */
export function signalReady(): void {
  const fd = Number(process.env.NIMBUS_ZYGOTE_READY_FD);
  if (!Number.isInteger(fd) || fd < 3) return;
  try {
    fs.writeSync(fd, 'ready\n');
  } catch {
    // the platform stopped listening; it will still send the environment
  }
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

function parseEnvironment(line: string): Record<string, string> {
  const message = jsonParse(line) as { env?: unknown } | null;
  const env = message?.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new Error('zygote: expected {"env": {...}} on stdin');
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)]));
}

function applyEnvironment(env: Record<string, string>): void {
  for (const key of Object.keys(process.env)) {
    if (!Object.hasOwn(env, key)) delete process.env[key];
  }
  Object.assign(process.env, env);
  if (env.LAMBDA_TASK_ROOT) process.chdir(env.LAMBDA_TASK_ROOT);
  // NODE_PATH is read once at startup; re-read it so `require` honours the function's value.
  (Module as unknown as { _initPaths?: () => void })._initPaths?.();
}

/** Resolves once the function's environment is in place; rejects if stdin ends without it. */
export function receiveEnvironment(): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let received = '';
    const accept = (line: string) => {
      stdin.removeAllListeners('data').removeAllListeners('end');
      stdin.destroy();
      try {
        applyEnvironment(parseEnvironment(line));
        resolve();
      } catch (error) {
        reject(error);
      }
    };
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline !== -1) accept(received.slice(0, newline));
    });
    stdin.on('end', () => {
      if (received.trim() !== '') accept(received);
      else reject(new Error('zygote: stdin closed before the environment arrived'));
    });
    stdin.on('error', reject);
  });
}
