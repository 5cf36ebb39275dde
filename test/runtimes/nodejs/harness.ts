/**
 * Test helpers for the in-sandbox Node.js runtime: a fake Runtime API on port 0, the BUILT runtime
 * (`dist/runtimes/nodejs/index.js`) as a child process with an explicit environment, and temp
 * task roots with fixture handlers. Nothing sleeps: every wait is on an event, with a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const RUNTIME_ENTRY = fileURLToPath(
  new URL('../../../dist/runtimes/nodejs/index.js', import.meta.url),
);

/** Fails the suite with a clear message instead of a cascade of spawn failures. */
export function assertRuntimeBuilt(): void {
  if (!existsSync(RUNTIME_ENTRY)) {
    throw new Error(
      `${RUNTIME_ENTRY} is missing: run \`npx tsc -p src/runtimes/nodejs/tsconfig.json\` first`,
    );
  }
}

const DEADLINE_MS = 10_000;

/** `what` may be a function, to describe the state at the moment the deadline passes. */
export async function within<T>(
  promise: Promise<T>,
  what: string | (() => string),
  ms = DEADLINE_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const describe = () => (typeof what === 'string' ? what : what());
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${describe()}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A request the runtime made, fully read (body and trailers). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  trailers: NodeJS.Dict<string>;
  /** Which TCP connection carried it (1, 2, ... in order of first use). */
  connection: number;
  json(): unknown;
}

interface Waiter {
  matches(request: RecordedRequest): boolean;
  resolve(request: RecordedRequest): void;
}

export interface InvokeOptions {
  headers?: Record<string, string>;
  requestId?: string;
  /** Deadline relative to now. */
  timeoutMs?: number;
}

/** A Runtime API that hands out invocations on demand and records everything posted to it. */
export class FakeRuntimeApi {
  readonly requests: RecordedRequest[] = [];
  readonly #server = http.createServer((req, res) => this.#onRequest(req, res));
  readonly #parkedNext: http.ServerResponse[] = [];
  readonly #queued: Array<(res: http.ServerResponse) => void> = [];
  readonly #waiters: Waiter[] = [];
  readonly #connections = new WeakMap<object, number>();
  #connectionCount = 0;

  static async start(): Promise<FakeRuntimeApi> {
    const api = new FakeRuntimeApi();
    await new Promise<void>((resolve) => api.#server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => api.close());
    return api;
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { port } = this.#server.address() as { port: number };
    return `127.0.0.1:${port}`;
  }

  /** Resolves with the first recorded request (past or future) that matches. */
  waitFor(matches: (request: RecordedRequest) => boolean, what: string): Promise<RecordedRequest> {
    const seen = this.requests.find(matches);
    if (seen) return Promise.resolve(seen);
    return within(new Promise((resolve) => this.#waiters.push({ matches, resolve })), what);
  }

  waitForInitError(): Promise<RecordedRequest> {
    return this.waitFor((r) => r.path === '/2018-06-01/runtime/init/error', 'POST /init/error');
  }

  /**
   * Hands `event` to the runtime's (current or next) `GET next` and resolves with the runtime's
   * `/response` or `/error` POST for it. A string event is sent as the raw body.
   */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<RecordedRequest> {
    const requestId = options.requestId ?? randomUUID();
    const body = typeof event === 'string' ? event : JSON.stringify(event);
    const deliver = (res: http.ServerResponse) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': requestId,
        'Lambda-Runtime-Deadline-Ms': String(Date.now() + (options.timeoutMs ?? 30_000)),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:fn',
        ...options.headers,
      });
      res.end(body);
    };
    const parked = this.#parkedNext.shift();
    if (parked) deliver(parked);
    else this.#queued.push(deliver);
    const prefix = `/2018-06-01/runtime/invocation/${requestId}/`;
    return this.waitFor((r) => r.path.startsWith(prefix), `the outcome of invoke ${requestId}`);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.#connections.has(req.socket)) this.#connections.set(req.socket, ++this.#connectionCount);
    const connection = this.#connections.get(req.socket) ?? 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        trailers: req.trailers,
        connection,
        json: () => JSON.parse(body.toString('utf8')),
      };
      this.requests.push(recorded);
      if (recorded.path.endsWith('/invocation/next')) {
        const queued = this.#queued.shift();
        if (queued) queued(res);
        else this.#parkedNext.push(res);
      } else {
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
      }
      for (const waiter of this.#waiters.filter((w) => w.matches(recorded))) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    });
  }
}

/** A temp LAMBDA_TASK_ROOT holding `files` (paths may contain directories); removed after the test. */
export function makeTaskRoot(files: Record<string, string>, parent = tmpdir()): string {
  const root = mkdtempSync(path.join(parent, 'nimbus-node-rt-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

export interface RuntimeProcess {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line that matches, once it has been written. */
  waitForLine(matches: (line: string) => boolean, what: string): Promise<string>;
}

/** The environment AWS gives a nodejs20.x function, pointing at `api` and `taskRoot`. */
export function lambdaEnv(api: FakeRuntimeApi, taskRoot: string, overrides: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_RUNTIME_API: api.address,
    _HANDLER: 'index.handler',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: 'fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING: '1',
    ...overrides,
  };
}

/** Spawns the built runtime with exactly `env` (nothing inherited); killed after the test. */
export function spawnRuntime(env: Record<string, string>, cwd?: string): RuntimeProcess {
  const child = spawn(process.execPath, [RUNTIME_ENTRY], {
    env,
    cwd: cwd ?? env.LAMBDA_TASK_ROOT,
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  const lineWaiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of lineWaiters) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  });
  const waitForLine = (matches: (line: string) => boolean, what: string) =>
    within(
      new Promise<string>((resolve) => {
        const check = () => {
          const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && matches(l));
          if (line === undefined) return;
          lineWaiters.delete(check);
          resolve(line);
        };
        lineWaiters.add(check);
        check();
      }),
      () => `${what} (stdout so far: ${JSON.stringify(stdout)}, stderr: ${JSON.stringify(stderr)})`,
    );
  return { child, exit, stdout: () => stdout, stderr: () => stderr, waitForLine };
}

/** Fake API + task root + runtime, the usual setup of one test. */
export async function startFunction(
  files: Record<string, string>,
  overrides: Record<string, string> = {},
): Promise<{ api: FakeRuntimeApi; runtime: RuntimeProcess; taskRoot: string }> {
  const api = await FakeRuntimeApi.start();
  const taskRoot = makeTaskRoot(files);
  const runtime = spawnRuntime(lambdaEnv(api, taskRoot, overrides));
  return { api, runtime, taskRoot };
}

export function exitOf(runtime: RuntimeProcess) {
  return within(runtime.exit, 'the runtime to exit');
}
