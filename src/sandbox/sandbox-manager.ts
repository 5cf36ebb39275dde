import type { Clock } from '../domain/clock.js';
import type { SandboxIdentity } from './environment-variables.js';
import type { ExecutorStats, IsolationDescription, SandboxExecutor } from './executor.js';
import { HostLoad } from './host-load.js';
import type { KeepAlivePolicy } from './keep-alive.js';
import type { LogSink } from './log-sink.js';
import { type PoolStats, SandboxPool } from './pool.js';
import { type InvocationInput, type InvocationResult, Sandbox, SandboxUnavailableError } from './sandbox.js';
import { StartGate } from './start-gate.js';

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
  runtimeApiHost: string;
  initTimeoutMs: number;
  /** Python interpreter for `python3.x` runtimes (absent when the host has none). */
  pythonExecutable?: string;
  keepAlive: KeepAlivePolicy;
  /** Sandboxes that may be starting at once on the host. */
  maxConcurrentStarts: number;
}

/** What a function's sandboxes did since the server started. */
export interface StartCounters {
  invocations: number;
  /** Invocations that had to wait for a new sandbox's init. */
  coldStarts: number;
  /** Sum of their Init Durations. */
  coldStartMsTotal: number;
  coldStartMsMax: number;
  /** Invocations served by a sandbox that was already initialised. */
  warmStarts: number;
}

export interface SandboxStats extends PoolStats, StartCounters {
  /** Mean Init Duration of the cold starts, ms. */
  coldStartMsAvg: number;
}

export interface FunctionSandboxStats extends SandboxStats {
  keepAlive: { ms: number; basis: 'fixed' | 'histogram'; samples: number };
}

export interface ManagerStats extends SandboxStats {
  executor: ExecutorStats;
}

/** How often an invocation may meet a sandbox that died before the event reached it. */
const MAX_PLACEMENT_ATTEMPTS = 3;

/**
 * Owns every sandbox of the server, grouped in pools per function version revision, and the
 * host-wide limits on them (the start gate, the keep-alive policy). New code or configuration
 * retires the old pools: in-flight invocations finish there, new ones start fresh. A pool with
 * nothing left in it is dropped, so a thousand functions that scaled to zero cost nothing here.
 */
export class SandboxManager {
  readonly #pools = new Map<string, PoolEntry>();
  /** Retired pools whose sandboxes are still finishing work. */
  readonly #draining = new Set<PoolEntry>();
  readonly #counters = new Map<string, StartCounters>();
  readonly #inFlight = new Map<string, number>();
  readonly #gate: StartGate;
  readonly #hostLoad: HostLoad;
  #closed = false;

  constructor(private readonly o: SandboxManagerOptions) {
    this.#gate = new StartGate(o.maxConcurrentStarts);
    this.#hostLoad = new HostLoad(o.clock);
  }

  get executorName(): string {
    return this.o.executor.name;
  }

  describe(): IsolationDescription & { keepAlive: string; maxConcurrentStarts: number } {
    return {
      ...this.o.executor.describe(),
      keepAlive: this.o.keepAlive.name,
      maxConcurrentStarts: this.#gate.max,
    };
  }

  async run(spec: SandboxSpec, input: InvocationInput): Promise<InvocationResult> {
    const name = spec.identity.functionName;
    const inFlight = this.#inFlight.get(name) ?? 0;
    if (inFlight === 0) this.o.keepAlive.arrived(name);
    this.#inFlight.set(name, inFlight + 1);
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.#closed) throw new SandboxUnavailableError('the server is shutting down');
        const pool = this.#entry(spec).pool;
        try {
          const sandbox = await pool.acquire();
          const result = await sandbox.invoke(input);
          // A sandbox's first invocation pays one-time costs (compiling the handler...), and the
          // platform's measure includes time its messages waited in queues: the runtime's own
          // measure, when it gives one, says best how long invocations keep a sandbox busy.
          if (!result.cold) pool.observe(result.handlerMs ?? result.durationMs);
          pool.giveBack(sandbox);
          this.#count(name, result);
          return result;
        } catch (e) {
          if (!(e instanceof SandboxUnavailableError) || attempt >= MAX_PLACEMENT_ATTEMPTS) throw e;
        }
      }
    } finally {
      const left = (this.#inFlight.get(name) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(name, left);
      else {
        this.#inFlight.delete(name);
        this.o.keepAlive.wentIdle(name);
      }
    }
  }

  /** Keeps `count` sandboxes of this revision initialised (0 releases them). */
  setProvisioned(spec: SandboxSpec, count: number): void {
    if (this.#closed) return;
    if (count === 0 && !this.#pools.has(spec.poolKey)) return;
    this.#entry(spec).pool.setProvisioned(count);
  }

  /**
   * Provisioned concurrency of a whole function: `count` initialised sandboxes for each revision
   * listed, none for the function's other current pools (versions no longer provisioned).
   */
  provisionFunction(functionName: string, wanted: readonly { spec: SandboxSpec; count: number }[]): void {
    if (this.#closed) return;
    const keys = new Set(wanted.map((w) => w.spec.poolKey));
    for (const [key, entry] of [...this.#pools]) {
      if (entry.functionName === functionName && !keys.has(key)) entry.pool.setProvisioned(0);
    }
    for (const w of wanted) this.setProvisioned(w.spec, w.count);
  }

  /** Provisioned sandboxes of one revision's current pool: wanted, initialised, and whether init keeps failing. */
  provisionedState(poolKey: string): { target: number; ready: number; failed: boolean } {
    const entry = this.#pools.get(poolKey);
    if (!entry) return { target: 0, ready: 0, failed: false };
    const s = entry.pool.stats();
    return { target: s.provisionedTarget, ready: s.provisionedReady, failed: entry.pool.provisioningFailed };
  }

  /** Stops serving a function's current pools (after a delete). */
  retireFunction(functionName: string): void {
    this.#retire((e) => e.functionName === functionName);
  }

  /**
   * Stops serving the current pools of one version of a function: `$LATEST` after an update (the
   * published versions are immutable and keep theirs), or a deleted version.
   */
  retireVersion(functionName: string, version: string): void {
    this.#retire((e) => e.functionName === functionName && e.spec.identity.version === version);
  }

  #retire(which: (e: PoolEntry) => boolean): void {
    for (const [key, entry] of this.#pools) {
      if (!which(entry)) continue;
      this.#pools.delete(key);
      if (entry.pool.size > 0) this.#draining.add(entry);
      entry.pool.retire();
    }
  }

  /** Forgets a deleted function's counters and keep-alive history. */
  forgetFunction(functionName: string): void {
    this.retireFunction(functionName);
    this.#counters.delete(functionName);
    this.o.keepAlive.forget(functionName);
  }

  /** Host code folders that running sandboxes still use (not to be garbage-collected). */
  codeDirsInUse(): Set<string> {
    const dirs = new Set<string>();
    for (const { pool, spec } of this.#entries()) if (pool.size > 0) dirs.add(spec.codeDir);
    return dirs;
  }

  stats(): ManagerStats {
    const total = emptyStats();
    for (const entry of this.#entries()) addPool(total, entry.pool.stats());
    for (const c of this.#counters.values()) addCounters(total, c);
    return { ...finish(total), executor: this.o.executor.stats() };
  }

  /** Pool statistics per function, for metrics. */
  statsByFunction(): Map<string, PoolStats> {
    const out = new Map<string, SandboxStats>();
    for (const entry of this.#entries()) {
      const t = out.get(entry.functionName) ?? emptyStats();
      addPool(t, entry.pool.stats());
      out.set(entry.functionName, t);
    }
    return out;
  }

  functionStats(functionName: string): FunctionSandboxStats {
    const total = emptyStats();
    for (const entry of this.#entries()) {
      if (entry.functionName === functionName) addPool(total, entry.pool.stats());
    }
    const c = this.#counters.get(functionName);
    if (c) addCounters(total, c);
    const k = this.o.keepAlive.describe(functionName);
    return { ...finish(total), keepAlive: { ms: k.keepAliveMs, basis: k.basis, samples: k.samples } };
  }

  /** Stops every sandbox and pre-started runtime; resolves when no sandbox process is left. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#hostLoad.close();
    await Promise.all([...this.#entries()].map(({ pool }) => pool.close()));
    this.#pools.clear();
    this.#draining.clear();
    await this.o.executor.close();
  }

  *#entries(): Iterable<PoolEntry> {
    yield* this.#pools.values();
    yield* this.#draining;
  }

  #count(functionName: string, r: InvocationResult): void {
    let c = this.#counters.get(functionName);
    if (!c) {
      c = { invocations: 0, coldStarts: 0, coldStartMsTotal: 0, coldStartMsMax: 0, warmStarts: 0 };
      this.#counters.set(functionName, c);
    }
    c.invocations++;
    if (r.cold && r.initDurationMs !== undefined) {
      c.coldStarts++;
      c.coldStartMsTotal += r.initDurationMs;
      c.coldStartMsMax = Math.max(c.coldStartMsMax, r.initDurationMs);
    } else if (!r.cold) {
      c.warmStarts++;
    }
  }

  #entry(spec: SandboxSpec): PoolEntry {
    const existing = this.#pools.get(spec.poolKey);
    if (existing) return existing;
    const o = this.o;
    const name = spec.identity.functionName;
    const entry = { functionName: name, spec } as PoolEntry;
    entry.pool = new SandboxPool({
      clock: o.clock,
      gate: this.#gate,
      hostSaturated: () => this.#hostLoad.saturated,
      keepAliveMs: () => o.keepAlive.keepAliveMs(name),
      onEmpty: () => {
        if (this.#pools.get(spec.poolKey) === entry) this.#pools.delete(spec.poolKey);
        this.#draining.delete(entry);
      },
      create: (onStopped, provisioned) =>
        new Sandbox({
          identity: provisioned
            ? { ...spec.identity, initializationType: 'provisioned-concurrency' }
            : spec.identity,
          codeDir: spec.codeDir,
          ...(spec.optDir ? { optDir: spec.optDir } : {}),
          ...(o.pythonExecutable ? { pythonExecutable: o.pythonExecutable } : {}),
          timeoutSeconds: spec.timeoutSeconds,
          ephemeralStorageMb: spec.ephemeralStorageMb,
          executor: o.executor,
          logSink: o.logSink,
          clock: o.clock,
          runtimeApiHost: o.runtimeApiHost,
          initTimeoutMs: o.initTimeoutMs,
          prewarmed: provisioned,
          onStopped,
        }),
    });
    this.#pools.set(spec.poolKey, entry);
    return entry;
  }
}

interface PoolEntry {
  functionName: string;
  spec: SandboxSpec;
  pool: SandboxPool;
}

function emptyStats(): SandboxStats {
  return {
    sandboxes: 0,
    idle: 0,
    busy: 0,
    starting: 0,
    waiting: 0,
    provisioned: 0,
    provisionedReady: 0,
    provisionedTarget: 0,
    invocations: 0,
    coldStarts: 0,
    coldStartMsTotal: 0,
    coldStartMsMax: 0,
    coldStartMsAvg: 0,
    warmStarts: 0,
  };
}

function addPool(t: SandboxStats, s: PoolStats): void {
  t.sandboxes += s.sandboxes;
  t.idle += s.idle;
  t.busy += s.busy;
  t.starting += s.starting;
  t.waiting += s.waiting;
  t.provisioned += s.provisioned;
  t.provisionedReady += s.provisionedReady;
  t.provisionedTarget += s.provisionedTarget;
}

function addCounters(t: SandboxStats, c: StartCounters): void {
  t.invocations += c.invocations;
  t.coldStarts += c.coldStarts;
  t.coldStartMsTotal += c.coldStartMsTotal;
  t.coldStartMsMax = Math.max(t.coldStartMsMax, c.coldStartMsMax);
  t.warmStarts += c.warmStarts;
}

function finish(t: SandboxStats): SandboxStats {
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    ...t,
    coldStartMsTotal: round(t.coldStartMsTotal),
    coldStartMsMax: round(t.coldStartMsMax),
    coldStartMsAvg: t.coldStarts > 0 ? round(t.coldStartMsTotal / t.coldStarts) : 0,
  };
}
