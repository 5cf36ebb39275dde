import type { Clock, Timer } from '../domain/clock.js';
import type { Sandbox } from './sandbox.js';

export interface PoolStats {
  sandboxes: number;
  idle: number;
  busy: number;
  starting: number;
}

/**
 * The sandboxes of one function version (one configuration revision). Concurrent invocations get
 * sandboxes of their own; a finished one waits idle for the next invocation and is stopped after
 * `idleTimeoutMs` without work, down to zero processes. A retired pool (new code or
 * configuration) serves no new invocations; its busy sandboxes stop when their work is done.
 */
export class SandboxPool {
  readonly #all = new Set<Sandbox>();
  /** Most recently used last: reuse the warmest, let the coldest age out. */
  readonly #idle: Sandbox[] = [];
  readonly #idleTimers = new Map<Sandbox, Timer>();
  #retired = false;

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

  /** A sandbox for one invocation: a warm one if there is one, otherwise a new one (cold start). */
  take(): Sandbox {
    for (let s = this.#idle.pop(); s; s = this.#idle.pop()) {
      this.#idleTimers.get(s)?.cancel();
      this.#idleTimers.delete(s);
      if (s.available) return s;
    }
    const sandbox = this.create((s) => this.#forget(s));
    this.#all.add(sandbox);
    void sandbox.start();
    return sandbox;
  }

  /** Hands a sandbox back after its invocation. */
  giveBack(sandbox: Sandbox): void {
    if (sandbox.state !== 'ready' || !this.#all.has(sandbox)) return;
    if (this.#retired) {
      sandbox.stop();
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
    for (const s of [...this.#idle]) s.stop();
  }

  /** Stops every sandbox and resolves when all processes are gone. */
  async close(): Promise<void> {
    this.#retired = true;
    const all = [...this.#all];
    for (const s of all) s.stop();
    await Promise.all(all.map((s) => s.closed));
  }

  stats(): PoolStats {
    let idle = 0;
    let busy = 0;
    let starting = 0;
    for (const s of this.#all) {
      if (s.state === 'busy') busy++;
      else if (s.state === 'starting') starting++;
      else if (s.state === 'ready') idle++;
    }
    return { sandboxes: this.#all.size, idle, busy, starting };
  }

  #forget(s: Sandbox): void {
    this.#all.delete(s);
    this.#idleTimers.get(s)?.cancel();
    this.#idleTimers.delete(s);
    const i = this.#idle.indexOf(s);
    if (i !== -1) this.#idle.splice(i, 1);
  }
}
