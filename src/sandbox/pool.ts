import type { Clock, Timer } from '../domain/clock.js';
import { type Sandbox, SandboxUnavailableError } from './sandbox.js';
import type { StartGate } from './start-gate.js';

export interface PoolStats {
  sandboxes: number;
  idle: number;
  busy: number;
  starting: number;
  /** Invocations waiting for a sandbox. */
  waiting: number;
  /** Sandboxes kept by provisioned concurrency (of `provisionedTarget`), and how many are initialised. */
  provisioned: number;
  provisionedReady: number;
  provisionedTarget: number;
}

export interface PoolOptions {
  /** A new sandbox; `provisioned` ones are initialised ahead of demand. */
  create: (onStopped: (s: Sandbox) => void, provisioned: boolean) => Sandbox;
  clock: Clock;
  /** How long an idle on-demand sandbox stays warm, asked each time one goes idle. */
  keepAliveMs: () => number;
  /** Shared by all pools: how many sandboxes may be starting at once on this host. */
  gate: StartGate;
  /** The host's CPUs are saturated: a queue of short invocations waits rather than grows the pool. */
  hostSaturated?: () => boolean;
  /** Called when the pool has nothing left (no sandbox, no waiter, nothing provisioned). */
  onEmpty?: () => void;
}

/**
 * The sandboxes of one function version (one configuration revision).
 *
 * An invocation takes an idle sandbox when there is one (provisioned ones first). Otherwise it
 * waits, and whichever comes first serves it: a sandbox started for it once initialised (a cold
 * start) or a busy one that finishes meanwhile (a warm start). A new sandbox is started unless the
 * pool has learned that its busy sandboxes free up sooner than a cold start takes (short
 * invocations); then the invocation waits, and a sandbox is started anyway if it is still waiting
 * after a cold start's time. So a burst of slow invocations scales out one sandbox per
 * invocation, as Lambda does, while a stream of millisecond invocations is served by the few
 * sandboxes it needs instead of one per connection, which on a small host is the difference
 * between serving and thrashing. Starts also pass the host-wide {@link StartGate}, so a burst at a
 * function scaled to zero does not boot a hundred runtimes at once on two cores: the first few
 * serve the queue while more come up. An init failure goes to the longest waiter, as Lambda
 * returns it to the invocation that caused the cold start.
 *
 * Idle on-demand sandboxes stop after the keep-alive, down to zero processes. Provisioned ones
 * (provisioned concurrency) are never reaped, and are replaced if they die. A retired pool (new
 * code or configuration) takes no new invocations; its busy sandboxes stop when their work is done.
 */
export class SandboxPool {
  readonly #all = new Set<Sandbox>();
  readonly #provisioned = new Set<Sandbox>();
  /** Most recently used last: reuse the warmest, let the coldest age out. */
  readonly #idle: Sandbox[] = [];
  readonly #idleTimers = new Map<Sandbox, Timer>();
  readonly #waiters: Waiter[] = [];
  #starting = 0;
  #provisionedTarget = 0;
  /** Provisioned sandboxes that failed init in a row; provisioning stops at the limit. */
  #provisionFailures = 0;
  #waitingForGate = false;
  #retired = false;
  /** Moving averages of what this pool observed; undefined until it has seen one. */
  #avgDurationMs?: number;
  #avgInitMs?: number;
  #recheck?: Timer;

  constructor(private readonly o: PoolOptions) {}

  get retired(): boolean {
    return this.#retired;
  }

  get size(): number {
    return this.#all.size;
  }

  /** Nothing left to keep: no sandbox, no waiter, nothing to provision. */
  get empty(): boolean {
    return this.#all.size === 0 && this.#waiters.length === 0 && this.#provisionedTarget === 0;
  }

  /** A sandbox for one invocation, initialised (or failed at init, for the invocation to report). */
  acquire(): Promise<Sandbox> {
    const idle = this.#popIdle();
    if (idle) return Promise.resolve(idle);
    if (this.#retired) return Promise.reject(new SandboxUnavailableError('the pool is retired'));
    return new Promise<Sandbox>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, since: this.o.clock.monotonic() });
      this.#pump();
    });
  }

  /** Feeds the pool's estimate of how long an invocation keeps a sandbox busy. */
  observe(durationMs: number): void {
    this.#avgDurationMs = ewma(this.#avgDurationMs, durationMs);
  }

  /** Hands a sandbox back after its invocation. */
  giveBack(sandbox: Sandbox): void {
    if (sandbox.state !== 'ready' || !this.#all.has(sandbox)) return;
    if (this.#retired) {
      sandbox.stop();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve(sandbox);
      return;
    }
    this.#idle.push(sandbox);
    if (!this.#provisioned.has(sandbox)) {
      this.#idleTimers.set(
        sandbox,
        this.o.clock.setTimeout(() => sandbox.stop(), this.o.keepAliveMs()),
      );
    }
  }

  /** Provisioned sandboxes keep failing their init; no more are started. */
  get provisioningFailed(): boolean {
    return this.#provisionFailures >= MAX_PROVISION_FAILURES;
  }

  /** Keeps `count` sandboxes initialised from now on (provisioned concurrency). */
  setProvisioned(count: number): void {
    this.#provisionedTarget = this.#retired ? 0 : count;
    this.#provisionFailures = 0;
    // Fewer wanted: idle surplus stops now, busy surplus becomes on-demand.
    let surplus = this.#provisioned.size - this.#provisionedTarget;
    for (const s of [...this.#provisioned]) {
      if (surplus <= 0) break;
      this.#provisioned.delete(s);
      surplus--;
      if (this.#idle.includes(s)) s.stop();
    }
    this.#pump();
    this.#checkEmpty();
  }

  /**
   * Serve nothing new; stop idle sandboxes now and busy ones when they finish. Invocations still
   * waiting are sent back (SandboxUnavailableError) to be placed in the new pool.
   */
  retire(): void {
    this.#retired = true;
    this.#provisionedTarget = 0;
    this.#recheck?.cancel();
    this.#sendBackWaiters('the function changed');
    for (const s of [...this.#idle]) s.stop();
    this.#checkEmpty();
  }

  /** Stops every sandbox and resolves when all processes are gone. */
  async close(): Promise<void> {
    this.#retired = true;
    this.#provisionedTarget = 0;
    this.#recheck?.cancel();
    this.#sendBackWaiters('the server is shutting down');
    const all = [...this.#all];
    for (const s of all) s.stop();
    await Promise.all(all.map((s) => s.closed));
  }

  stats(): PoolStats {
    let busy = 0;
    let provisionedReady = 0;
    for (const s of this.#all) if (s.state === 'busy') busy++;
    for (const s of this.#provisioned) if (s.state === 'ready' || s.state === 'busy') provisionedReady++;
    return {
      sandboxes: this.#all.size,
      idle: this.#idle.length,
      busy,
      starting: this.#starting,
      waiting: this.#waiters.length,
      provisioned: this.#provisioned.size,
      provisionedReady,
      provisionedTarget: this.#provisionedTarget,
    };
  }

  #popIdle(): Sandbox | undefined {
    // Provisioned sandboxes first: on-demand ones then age out.
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const s = this.#idle[i]!;
      if (!this.#provisioned.has(s) || !s.available) continue;
      this.#idle.splice(i, 1);
      return s;
    }
    for (let s = this.#idle.pop(); s; s = this.#idle.pop()) {
      this.#idleTimers.get(s)?.cancel();
      this.#idleTimers.delete(s);
      if (s.available) return s;
    }
    return undefined;
  }

  /** Starts what is needed: missing provisioned sandboxes, and cold starts for uncovered waiters. */
  #pump(): void {
    if (this.#retired) return;
    while (this.#provisioned.size < this.#provisionedTarget && !this.provisioningFailed) {
      if (!this.#enterGate()) return;
      this.#startOne(true);
    }
    while (this.#waiters.length > this.#starting) {
      if (!this.#shouldStart()) return;
      if (!this.#enterGate()) return;
      this.#startOne(false);
    }
  }

  #enterGate(): boolean {
    if (this.o.gate.tryEnter()) return true;
    if (!this.#waitingForGate) {
      this.#waitingForGate = true;
      this.o.gate.whenFree(() => {
        this.#waitingForGate = false;
        this.#pump();
      });
    }
    return false;
  }

  /**
   * Start a sandbox, or let the waiters queue for busy ones (and look again later)? Start when
   * the wait would be longer than a cold start; when the host's CPUs are saturated, only when it
   * would be much longer (a queue of slow invocations still scales out; one of short ones would
   * only gain processes competing for the same CPUs).
   */
  #shouldStart(): boolean {
    const wait = this.#expectedWaitMs();
    const init = this.#avgInitMs;
    if (wait === undefined || init === undefined) return true;
    if (wait >= this.#startThreshold(init)) return true;
    this.#recheckAfter(init);
    return false;
  }

  #startThreshold(initMs: number): number {
    const saturated = this.#all.size > 0 && this.o.hostSaturated?.() === true;
    return initMs * (saturated ? SATURATED_START_FACTOR : 1);
  }

  /** How long a new waiter would wait for a busy sandbox, if the pool can tell. */
  #expectedWaitMs(): number | undefined {
    const busy = this.#all.size - this.#idle.length - this.#starting;
    if (busy <= 0 || this.#avgDurationMs === undefined) return undefined;
    const uncovered = this.#waiters.length - this.#starting;
    return this.#avgDurationMs * Math.ceil(uncovered / busy);
  }

  /** Starts sandboxes for invocations still waiting once a cold start would have been done. */
  #recheckAfter(ms: number): void {
    if (this.#recheck) return;
    this.#recheck = this.o.clock.setTimeout(() => {
      this.#recheck = undefined;
      if (this.#retired) return;
      const limit = this.#startThreshold(this.#avgInitMs ?? ms);
      const now = this.o.clock.monotonic();
      const overdue = this.#waiters.filter((w) => now - w.since >= limit).length;
      while (this.#starting < overdue && this.#enterGate()) this.#startOne(false);
      const next = this.#waiters.find((w) => now - w.since < limit);
      if (next) this.#recheckAfter(limit - (now - next.since));
    }, ms);
  }

  #startOne(provisioned: boolean): void {
    const sandbox = this.o.create((s) => this.#forget(s), provisioned);
    this.#all.add(sandbox);
    if (provisioned) this.#provisioned.add(sandbox);
    this.#starting++;
    const started = this.o.clock.monotonic();
    void sandbox.start();
    void sandbox.whenInitialised().then((ok) => {
      this.#starting--;
      this.o.gate.leave();
      if (ok && !provisioned) this.#avgInitMs = ewma(this.#avgInitMs, this.o.clock.monotonic() - started);
      if (provisioned) this.#provisionFailures = ok ? 0 : this.#provisionFailures + 1;
      if (ok) {
        // Serves the longest waiter, or waits idle for one.
        this.giveBack(sandbox);
      } else if (!provisioned && this.#waiters.length > 0) {
        // The init error goes to the invocation that caused the cold start.
        this.#waiters.shift()?.resolve(sandbox);
      } else {
        sandbox.stop();
      }
      this.#pump();
    });
  }

  #forget(s: Sandbox): void {
    this.#all.delete(s);
    this.#provisioned.delete(s);
    this.#idleTimers.get(s)?.cancel();
    this.#idleTimers.delete(s);
    const i = this.#idle.indexOf(s);
    if (i !== -1) this.#idle.splice(i, 1);
    // A provisioned sandbox that died (timeout, crash) is replaced.
    this.#pump();
    this.#checkEmpty();
  }

  #sendBackWaiters(why: string): void {
    for (const w of this.#waiters.splice(0)) w.reject(new SandboxUnavailableError(why));
  }

  #checkEmpty(): void {
    if (this.empty) this.o.onEmpty?.();
  }
}

const MAX_PROVISION_FAILURES = 3;
/** On a saturated host a waiter must expect this many cold starts' time before one is started. */
const SATURATED_START_FACTOR = 5;

/** Exponentially weighted moving average, weighting the newest sample by a fifth. */
function ewma(avg: number | undefined, sample: number): number {
  return avg === undefined ? sample : avg * 0.8 + sample * 0.2;
}

interface Waiter {
  resolve: (s: Sandbox) => void;
  reject: (e: Error) => void;
  /** Monotonic ms when the invocation started waiting. */
  since: number;
}
