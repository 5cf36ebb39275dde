import type { Clock, Timer } from '../../src/domain/clock.js';

/** A clock that moves only when told to, running due timers in order. */
export class ManualClock implements Clock {
  #now = 1_700_000_000_000;
  #mono = 0;
  #timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now = (): number => this.#now;
  monotonic = (): number => this.#mono;

  setTimeout(fn: () => void, ms: number): Timer {
    const t = { at: this.#mono + ms, fn, cancelled: false };
    this.#timers.push(t);
    return { cancel: () => (t.cancelled = true) };
  }

  advance(ms: number): void {
    const end = this.#mono + ms;
    for (;;) {
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.splice(this.#timers.indexOf(due), 1);
      this.#now += due.at - this.#mono;
      this.#mono = due.at;
      due.fn();
    }
    this.#now += end - this.#mono;
    this.#mono = end;
  }
}
