import type { Clock } from '../domain/clock.js';
import type { SandboxIdentity } from './environment-variables.js';
import type { SandboxExecutor } from './executor.js';
import type { LogSink } from './log-sink.js';
import { type PoolStats, SandboxPool } from './pool.js';
import { type InvocationInput, type InvocationResult, Sandbox, SandboxUnavailableError } from './sandbox.js';

/** Everything needed to run sandboxes of one function version revision. */
export interface SandboxSpec {
  /** Identifies the pool: function, version and configuration revision. */
  poolKey: string;
  identity: Omit<SandboxIdentity, 'logStream'>;
  codeDir: string;
  /** Host folder of the merged layers (`/opt`), when the function has layers. */
  optDir?: string;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
}

export interface SandboxManagerOptions {
  executor: SandboxExecutor;
  logSink: LogSink;
  clock: Clock;
  nodeExecutable: string;
  /** Python interpreter for `python3.x` runtimes (absent when the host has none). */
  pythonExecutable?: string;
  runtimeApiHost: string;
  initTimeoutMs: number;
  idleTimeoutMs: number;
}

/** How often an invocation may meet a sandbox that died before the event reached it. */
const MAX_PLACEMENT_ATTEMPTS = 3;

/**
 * Owns every sandbox of the server, grouped in pools per function version revision. New code or
 * configuration retires the old pools: in-flight invocations finish there, new ones start fresh.
 */
export class SandboxManager {
  readonly #pools = new Map<string, PoolEntry>();
  /** Retired pools whose sandboxes are still finishing work. */
  readonly #draining = new Set<PoolEntry>();
  #closed = false;

  constructor(private readonly o: SandboxManagerOptions) {}

  get executorName(): string {
    return this.o.executor.name;
  }

  async run(spec: SandboxSpec, input: InvocationInput): Promise<InvocationResult> {
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new SandboxUnavailableError('the server is shutting down');
      const pool = this.#pool(spec);
      const sandbox = await pool.acquire();
      try {
        const result = await sandbox.invoke(input);
        pool.observe(result.durationMs);
        pool.giveBack(sandbox);
        return result;
      } catch (e) {
        if (!(e instanceof SandboxUnavailableError) || attempt >= MAX_PLACEMENT_ATTEMPTS) throw e;
      }
    }
  }

  /** Stops serving a function's current pools (after an update or delete). */
  retireFunction(functionName: string): void {
    for (const [key, entry] of this.#pools) {
      if (entry.functionName !== functionName) continue;
      this.#pools.delete(key);
      entry.pool.retire();
      if (entry.pool.size > 0) this.#draining.add(entry);
    }
  }

  /** Host code folders that running sandboxes still use (not to be garbage-collected). */
  codeDirsInUse(): Set<string> {
    const dirs = new Set<string>();
    for (const { pool, spec } of this.#entries()) if (pool.size > 0) dirs.add(spec.codeDir);
    return dirs;
  }

  stats(functionName?: string): PoolStats {
    const total: PoolStats = { sandboxes: 0, idle: 0, busy: 0, starting: 0, waiting: 0 };
    for (const entry of this.#entries()) {
      if (functionName !== undefined && entry.functionName !== functionName) continue;
      const s = entry.pool.stats();
      total.sandboxes += s.sandboxes;
      total.idle += s.idle;
      total.busy += s.busy;
      total.starting += s.starting;
      total.waiting += s.waiting;
    }
    return total;
  }

  /** Pool statistics per function, for metrics. */
  statsByFunction(): Map<string, PoolStats> {
    const out = new Map<string, PoolStats>();
    for (const entry of this.#entries()) {
      const t = out.get(entry.functionName) ?? { sandboxes: 0, idle: 0, busy: 0, starting: 0, waiting: 0 };
      const s = entry.pool.stats();
      t.sandboxes += s.sandboxes;
      t.idle += s.idle;
      t.busy += s.busy;
      t.starting += s.starting;
      t.waiting += s.waiting;
      out.set(entry.functionName, t);
    }
    return out;
  }

  /** Stops every sandbox; resolves when no sandbox process is left. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#entries()].map(({ pool }) => pool.close()));
    this.#pools.clear();
    this.#draining.clear();
  }

  *#entries(): Iterable<PoolEntry> {
    yield* this.#pools.values();
    yield* this.#draining;
  }

  #pool(spec: SandboxSpec): SandboxPool {
    const existing = this.#pools.get(spec.poolKey);
    if (existing) return existing.pool;
    const o = this.o;
    const entry = { functionName: spec.identity.functionName, spec } as PoolEntry;
    const pool = new SandboxPool(
      (onStopped) =>
        new Sandbox({
          identity: spec.identity,
          codeDir: spec.codeDir,
          ...(spec.optDir ? { optDir: spec.optDir } : {}),
          timeoutSeconds: spec.timeoutSeconds,
          ephemeralStorageMb: spec.ephemeralStorageMb,
          executor: o.executor,
          logSink: o.logSink,
          clock: o.clock,
          nodeExecutable: o.nodeExecutable,
          ...(o.pythonExecutable ? { pythonExecutable: o.pythonExecutable } : {}),
          runtimeApiHost: o.runtimeApiHost,
          initTimeoutMs: o.initTimeoutMs,
          onStopped: (s) => {
            onStopped(s);
            if (entry.pool.size === 0) this.#draining.delete(entry);
          },
        }),
      o.clock,
      o.idleTimeoutMs,
    );
    entry.pool = pool;
    this.#pools.set(spec.poolKey, entry);
    return pool;
  }
}

interface PoolEntry {
  functionName: string;
  spec: SandboxSpec;
  pool: SandboxPool;
}
