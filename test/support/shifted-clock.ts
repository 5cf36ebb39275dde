import type { Clock, Timer } from '../../src/domain/clock.js';

/**
 * Real time plus an offset the test moves forward with {@link advance}: `now()` jumps (a message
 * or a database change suddenly looks old) while timers and `monotonic()` keep running in real
 * time, so sandboxes, long polls and backoffs behave as usual. Methods are arrow functions: the
 * server hands `clock.now` around unbound.
 */
export class ShiftedClock implements Clock {
  #offset = 0;

  now = (): number => Date.now() + this.#offset;

  monotonic = (): number => performance.now();

  setTimeout = (fn: () => void, ms: number): Timer => {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  };

  advance(ms: number): void {
    this.#offset += ms;
  }
}
