import type { Clock } from '../domain/clock.js';

/**
 * How long an idle sandbox of a function stays warm.
 *
 * `fixed`: the configured idle timeout for every function.
 *
 * `adaptive` (the default): the hybrid histogram policy of "Serverless in the Wild" (Shahrad et
 * al., ATC'20), keep-alive part. Per function, the idle times between invocations (from the
 * moment its last busy sandbox finished to the next invocation) go into a histogram of one-minute
 * bins over four hours. Once it holds enough of them, the keep-alive window is the 99th
 * percentile plus a 10% margin: a function called every 10 minutes stays warm for 11 (a fixed 5
 * would cold-start it every time), one called every few seconds is released after ~1 minute
 * instead of holding memory for 5. Until then, or when the function's idle times are mostly
 * beyond the histogram's range, the fixed timeout applies. (The paper's pre-warming part is left
 * out: zygotes make a cold start cheap instead.)
 */
export interface KeepAlivePolicy {
  readonly name: 'fixed' | 'adaptive';
  /** The function's last busy sandbox went idle. */
  wentIdle(functionName: string): void;
  /** An invocation of the function arrived. */
  arrived(functionName: string): void;
  keepAliveMs(functionName: string): number;
  /** What the policy decided for a function, for status output. */
  describe(functionName: string): { keepAliveMs: number; basis: 'fixed' | 'histogram'; samples: number };
  forget(functionName: string): void;
}

export class FixedKeepAlive implements KeepAlivePolicy {
  readonly name = 'fixed';
  constructor(private readonly ms: number) {}
  wentIdle(): void {}
  arrived(): void {}
  keepAliveMs(): number {
    return this.ms;
  }
  describe() {
    return { keepAliveMs: this.ms, basis: 'fixed' as const, samples: 0 };
  }
  forget(): void {}
}

const BIN_MS = 60_000;
const BINS = 240;
/** Idle times needed before the histogram is trusted. */
const MIN_SAMPLES = 10;
const PERCENTILE = 0.99;
const MARGIN = 1.1;
/** Above this share of idle times beyond four hours the histogram says little. */
const MAX_OUT_OF_RANGE = 0.5;

interface History {
  bins: Uint16Array;
  samples: number;
  outOfRange: number;
  idleSince?: number;
  /** Cached decision, recomputed when a sample arrives. */
  keepAliveMs?: number;
}

export class HistogramKeepAlive implements KeepAlivePolicy {
  readonly name = 'adaptive';
  readonly #history = new Map<string, History>();

  constructor(
    private readonly fallbackMs: number,
    private readonly clock: Clock,
  ) {}

  wentIdle(functionName: string): void {
    this.#of(functionName).idleSince = this.clock.monotonic();
  }

  arrived(functionName: string): void {
    const h = this.#history.get(functionName);
    if (h?.idleSince === undefined) return;
    const bin = Math.floor((this.clock.monotonic() - h.idleSince) / BIN_MS);
    h.idleSince = undefined;
    if (bin >= BINS) h.outOfRange++;
    else if (h.bins[bin]! < 0xffff) h.bins[bin]!++;
    h.samples++;
    h.keepAliveMs = undefined;
  }

  keepAliveMs(functionName: string): number {
    const h = this.#history.get(functionName);
    if (!h) return this.fallbackMs;
    h.keepAliveMs ??= this.#decide(h);
    return h.keepAliveMs;
  }

  describe(functionName: string) {
    const h = this.#history.get(functionName);
    const keepAliveMs = this.keepAliveMs(functionName);
    const trusted = h !== undefined && this.#trusted(h);
    return {
      keepAliveMs,
      basis: trusted ? ('histogram' as const) : ('fixed' as const),
      samples: h?.samples ?? 0,
    };
  }

  forget(functionName: string): void {
    this.#history.delete(functionName);
  }

  #trusted(h: History): boolean {
    return h.samples >= MIN_SAMPLES && h.outOfRange / h.samples <= MAX_OUT_OF_RANGE;
  }

  #decide(h: History): number {
    if (!this.#trusted(h)) return this.fallbackMs;
    const inRange = h.samples - h.outOfRange;
    const wanted = Math.ceil(inRange * PERCENTILE);
    let seen = 0;
    for (let bin = 0; bin < BINS; bin++) {
      seen += h.bins[bin]!;
      if (seen >= wanted) return Math.round((bin + 1) * BIN_MS * MARGIN);
    }
    return this.fallbackMs;
  }

  #of(functionName: string): History {
    let h = this.#history.get(functionName);
    if (!h) {
      h = { bins: new Uint16Array(BINS), samples: 0, outOfRange: 0 };
      this.#history.set(functionName, h);
    }
    return h;
  }
}
