import type { Clock, Timer } from '../domain/clock.js';

/**
 * Wakes long-polling receivers when their queue may have something for them: a send, a message
 * made visible, or the moment the earliest invisible message times out. Receivers never poll the
 * store in a loop; each wait ends on a wake-up, its deadline, an abort or close.
 */
export class LongPollWaiters {
  readonly #waiting = new Map<number, Set<() => void>>();
  #closed = false;

  constructor(private readonly clock: Clock) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves on the next wake-up of `queueId`, at `untilMs` (epoch), on abort or on close. */
  wait(queueId: number, untilMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const set = this.#waiting.get(queueId) ?? new Set();
      this.#waiting.set(queueId, set);
      const done = () => {
        timer?.cancel();
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.#waiting.get(queueId) === set) this.#waiting.delete(queueId);
        resolve();
      };
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
      timer = this.clock.setTimeout(done, Math.max(0, untilMs - this.clock.now()));
    });
  }

  /** Wakes every receiver waiting on `queueId`. */
  notify(queueId: number): void {
    const set = this.#waiting.get(queueId);
    if (!set) return;
    for (const done of [...set]) done();
  }

  /** Wakes everyone; later waits return at once. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#waiting.keys()]) this.notify(id);
  }
}
