import type { Clock, Timer } from '../../src/domain/clock.js';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock whose time moves only when a test says so. Timers fire in order of due time as
 * {@link advance} passes them; between timers the test's `settle` lets real I/O (SQLite group
 * commits, promise chains) run.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Scheduled[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t: Scheduled = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(t);
    return { cancel: () => this.#cancel(t) };
  }

  /** Due time of the earliest pending timer. */
  get nextTimerAt(): number | undefined {
    return this.#sorted()[0]?.at;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (settling after each). */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#sorted()[0];
      if (!next || next.at > end) break;
      this.#now = Math.max(this.#now, next.at);
      this.#cancel(next);
      next.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  #sorted(): Scheduled[] {
    return this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  #cancel(t: Scheduled): void {
    this.#timers = this.#timers.filter((x) => x !== t);
  }
}

/** Lets pending I/O callbacks and promise chains run (a few event-loop turns). */
export async function settleIo(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
