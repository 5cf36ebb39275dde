import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { InvocationRecord } from '../store/ports.js';

/** Seconds; spans warm invocations (sub-millisecond) to the 15-minute maximum. */
const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900,
];
const INIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * What the collectors of one scrape share: a value several gauges derive from (every queue's
 * counts) is computed once per scrape, not once per gauge.
 */
export interface ScrapeScope {
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

function newScrapeScope(): ScrapeScope {
  const memo = new Map<string, Promise<unknown>>();
  return {
    once<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        p = compute();
        memo.set(key, p);
      }
      return p;
    },
  };
}

/**
 * Prometheus metrics at `/metrics`. Core series are defined here; features register their own
 * (queue depths, trigger lag) on {@link Metrics.registry} or through {@link Metrics.gauge}.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #invocations: Counter<'function' | 'outcome' | 'invocation_type'>;
  readonly #coldStarts: Counter<'function'>;
  readonly #throttles: Counter<'function' | 'reason'>;
  readonly #duration: Histogram<'function'>;
  readonly #init: Histogram<'function'>;
  readonly #billed: Counter<'function'>;
  /** The scope of the scrape whose collectors are being started (see {@link text}). */
  #scrape: ScrapeScope | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'nimbus_' });
    const registers = [this.registry];
    this.#invocations = new Counter({
      name: 'nimbus_invocations_total',
      help: 'Invocations by function, outcome (success, error, timeout, crash, oom, init-error) and type',
      labelNames: ['function', 'outcome', 'invocation_type'],
      registers,
    });
    this.#coldStarts = new Counter({
      name: 'nimbus_cold_starts_total',
      help: 'Invocations that started a new sandbox',
      labelNames: ['function'],
      registers,
    });
    this.#throttles = new Counter({
      name: 'nimbus_throttles_total',
      help: 'Invocations refused for lack of concurrency',
      labelNames: ['function', 'reason'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'nimbus_invocation_duration_seconds',
      help: 'Handler duration as in the REPORT line',
      labelNames: ['function'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#init = new Histogram({
      name: 'nimbus_init_duration_seconds',
      help: 'Init Duration of cold starts',
      labelNames: ['function'],
      buckets: INIT_BUCKETS,
      registers,
    });
    this.#billed = new Counter({
      name: 'nimbus_billed_gb_seconds_total',
      help: 'Billed compute: memory (GB) × billed duration (s), init included',
      labelNames: ['function'],
      registers,
    });
  }

  invocation(r: InvocationRecord): void {
    const fn = r.functionName;
    this.#invocations.inc({ function: fn, outcome: r.outcome, invocation_type: r.invocationType });
    this.#duration.observe({ function: fn }, r.durationMs / 1000);
    this.#billed.inc({ function: fn }, (r.memoryMb / 1024) * (r.billedMs / 1000));
    if (r.cold) {
      this.#coldStarts.inc({ function: fn });
      if (r.initDurationMs !== undefined) this.#init.observe({ function: fn }, r.initDurationMs / 1000);
    }
  }

  throttle(functionName: string, reason: string): void {
    this.#throttles.inc({ function: functionName, reason });
  }

  /**
   * A gauge whose value is read at scrape time (`collect` may query a store; nothing polls). Only
   * the series `collect` sets are exposed, so a function or queue that is gone drops out.
   */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (
      set: (labels: Record<L, string>, value: number) => void,
      scrape: ScrapeScope,
    ) => void | Promise<void>,
  ): void {
    const currentScrape = () => this.#scrape;
    new Gauge<L>({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      async collect() {
        const values: [Record<L, string>, number][] = [];
        // Gathered first, so a scrape never sees a half-reset gauge while a query is awaited.
        // Read before any await: prom-client starts every collector synchronously.
        const scrape = currentScrape() ?? newScrapeScope();
        await collect((labels, value) => values.push([labels, value]), scrape);
        this.reset();
        for (const [labels, value] of values) this.set(labels as never, value);
      },
    });
  }

  /**
   * The exposition text. prom-client spells NaN `Nan` (the event-loop lag gauges are NaN when two
   * scrapes come within one sampling interval); the format, and OpenMetrics parsers, want `NaN`.
   */
  async text(): Promise<string> {
    this.#scrape = newScrapeScope();
    let pending: Promise<string>;
    try {
      pending = this.registry.metrics();
    } finally {
      this.#scrape = undefined;
    }
    return (await pending).replace(/ Nan$/gm, ' NaN');
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
