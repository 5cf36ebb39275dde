import type { Clock } from '../../domain/clock.js';

/** Sleeps on the injected clock; an abort ends the sleep early. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff for pollers: 100 ms doubling to a ceiling. */
export class Backoff {
  #next: number;
  constructor(
    private readonly initialMs = 100,
    private readonly maxMs = 10_000,
  ) {
    this.#next = initialMs;
  }
  next(): number {
    const d = this.#next;
    this.#next = Math.min(this.maxMs, this.#next * 2);
    return d;
  }
  reset(): void {
    this.#next = this.initialMs;
  }
}

/** Resolves when `work` settles or after `graceMs`, whichever is first. */
export async function withGrace(clock: Clock, work: Promise<unknown>, graceMs: number): Promise<void> {
  let timer: { cancel(): void } | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, graceMs);
    }),
  ]);
  timer?.cancel();
}
