import type { Clock, Timer } from '../domain/clock.js';
import type { Sandbox } from './sandbox.js';

export interface PoolStats {
  sandboxes: number;
  idle: number;
  busy: number;
  starting: number;
  /** Invocations waiting for a sandbox. */
  waiting: number;
}

/**
 * The sandboxes of one function version (one configuration revision).
 *
 * An invocation takes an idle sandbox when there is one. Otherwise it waits, and whichever comes
 * first serves it: a sandbox started for it once initialised (a cold start) or a busy one that
 * finishes meanwhile (a warm start). A new sandbox is started unless the pool has learned that
 * its busy sandboxes free up sooner than a cold start takes (short invocations); then the
 * invocation waits, and a sandbox is started anyway if it is still waiting after a cold start's
 * time. So a burst of slow invocations scales out one sandbox per invocation, as Lambda does,
 * while a stream of millisecond invocations is served by the few sandboxes it needs instead of
 * one per connection, which on a small host is the difference between serving and thrashing.
 * An init failure goes to the longest waiter, as Lambda returns it to the invocation that caused
 * the cold start.
 *
 * Idle sandboxes stop after `idleTimeoutMs`, down to zero processes. A retired pool (new code or
 * configuration) takes no new invocations; its busy sandboxes stop when their work is done.
 */
export class SandboxPool {
  readonly #all = new Set<Sandbox>();
  /** Most recently used last: reuse the warmest, let the coldest age out. */
  readonly #idle: Sandbox[] = [];
  readonly #idleTimers = new Map<Sandbox, Timer>();
  readonly #waiters: Waiter[] = [];
  #starting = 0;
  #retired = false;
  /** Moving averages of what this pool observed; undefined until it has seen one. */
  #avgDurationMs?: number;
  #avgInitMs?: number;
  #recheck?: Timer;

  constructor(
    private readonly create: (onStopped: (s: Sandbox) => void) => Sandbox,
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
  ) {}

  get retired(): boolean {
    return this.#retired;
  }

  get size(): number {
    return this.#all.size;
  }

  /** A sandbox for one invocation, initialised (or failed at init, for the invocation to report). */
  acquire(): Promise<Sandbox> {
    const idle = this.#popIdle();
    if (idle) return Promise.resolve(idle);
    return new Promise<Sandbox>((resolve) => {
      this.#waiters.push({ resolve, since: this.clock.monotonic() });
      if (this.#starting >= this.#waiters.length) return;
      const wait = this.#expectedWaitMs();
      const init = this.#avgInitMs;
      if (wait !== undefined && init !== undefined && wait < init) this.#recheckAfter(init);
      else this.#startOne();
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
    this.#idleTimers.set(
      sandbox,
      this.clock.setTimeout(() => sandbox.stop(), this.idleTimeoutMs),
    );
  }

  /** Serve nothing new; stop idle sandboxes now and busy ones when they finish. */
  retire(): void {
    this.#retired = true;
    this.#recheck?.cancel();
    for (const s of [...this.#idle]) s.stop();
  }

  /** Stops every sandbox and resolves when all processes are gone. */
  async close(): Promise<void> {
    this.#retired = true;
    this.#recheck?.cancel();
    const all = [...this.#all];
    for (const s of all) s.stop();
    await Promise.all(all.map((s) => s.closed));
  }

  stats(): PoolStats {
    let busy = 0;
    for (const s of this.#all) if (s.state === 'busy') busy++;
    return {
      sandboxes: this.#all.size,
      idle: this.#idle.length,
      busy,
      starting: this.#starting,
      waiting: this.#waiters.length,
    };
  }

  #popIdle(): Sandbox | undefined {
    for (let s = this.#idle.pop(); s; s = this.#idle.pop()) {
      this.#idleTimers.get(s)?.cancel();
      this.#idleTimers.delete(s);
      if (s.available) return s;
    }
    return undefined;
  }

  /** How long a new waiter would wait for a busy sandbox, if the pool can tell. */
  #expectedWaitMs(): number | undefined {
    const busy = this.#all.size - this.#idle.length - this.#starting;
    if (busy <= 0 || this.#avgDurationMs === undefined) return undefined;
    return this.#avgDurationMs * Math.ceil(this.#waiters.length / busy);
  }

  /** Starts sandboxes for invocations still waiting once a cold start would have been done. */
  #recheckAfter(ms: number): void {
    if (this.#recheck) return;
    this.#recheck = this.clock.setTimeout(() => {
      this.#recheck = undefined;
      if (this.#retired) return;
      const limit = this.#avgInitMs ?? ms;
      const now = this.clock.monotonic();
      const overdue = this.#waiters.filter((w) => now - w.since >= limit).length;
      while (this.#starting < overdue) this.#startOne();
      const next = this.#waiters.find((w) => now - w.since < limit);
      if (next) this.#recheckAfter(limit - (now - next.since));
    }, ms);
  }

  #startOne(): void {
    const sandbox = this.create((s) => this.#forget(s));
    this.#all.add(sandbox);
    this.#starting++;
    const started = this.clock.monotonic();
    void sandbox.start();
    void sandbox.whenInitialised().then((ok) => {
      this.#starting--;
      if (ok) this.#avgInitMs = ewma(this.#avgInitMs, this.clock.monotonic() - started);
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(sandbox);
      else if (ok && !this.#retired) this.giveBack(sandbox);
      else sandbox.stop();
    });
  }

  #forget(s: Sandbox): void {
    this.#all.delete(s);
    this.#idleTimers.get(s)?.cancel();
    this.#idleTimers.delete(s);
    const i = this.#idle.indexOf(s);
    if (i !== -1) this.#idle.splice(i, 1);
  }
}

/** Exponentially weighted moving average, weighting the newest sample by a fifth. */
function ewma(avg: number | undefined, sample: number): number {
  return avg === undefined ? sample : avg * 0.8 + sample * 0.2;
}

interface Waiter {
  resolve: (s: Sandbox) => void;
  /** Monotonic ms when the invocation started waiting. */
  since: number;
}
