import type { Clock, Timer } from '../../src/domain/clock.js';

/**
 * A clock that runs `factor` times faster than real time from `origin` on: `now()` moves `factor`
 * ms per real ms and a timer of `ms` fires after `ms / factor` real ms. Two instances with the same
 * origin and factor agree, so a server restarted with a new one carries on where the last left.
 */
export class ScaledClock implements Clock {
  constructor(
    readonly factor: number,
    readonly origin: number = Date.now(),
  ) {}

  now(): number {
    return Math.floor(this.origin + (Date.now() - this.origin) * this.factor);
  }

  monotonic(): number {
    return performance.now() * this.factor;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, Math.max(0, ms / this.factor));
    return { cancel: () => clearTimeout(t) };
  }

  /** The real time (epoch ms) at which this clock reads `at`. */
  realTimeOf(at: number): number {
    return this.origin + (at - this.origin) / this.factor;
  }
}
