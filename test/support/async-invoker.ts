import type { Feature } from '../../src/main/app.js';
import type { AsyncInvokeRequest, AsyncInvoker } from '../../src/triggers/async-invoker.js';
import type { buildS3EventRecord } from '../../src/triggers/s3/event-builder.js';

export type S3Record = ReturnType<typeof buildS3EventRecord>;

/** An {@link AsyncInvoker} that records what it is handed (optionally failing first). */
export class RecordingInvoker implements AsyncInvoker {
  readonly received: AsyncInvokeRequest[] = [];
  failuresLeft = 0;
  #waiters: (() => void)[] = [];

  async enqueue(request: AsyncInvokeRequest): Promise<{ requestId: string }> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('queue unavailable');
    }
    this.received.push(request);
    for (const w of this.#waiters.splice(0)) w();
    return { requestId: `req-${this.received.length}` };
  }

  /** The payloads received so far, parsed. */
  events(): { Records: S3Record[] }[] {
    return this.received.map((r) => JSON.parse(r.payload.toString()));
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${this.received.length}`);
      await new Promise<void>((ok) => {
        this.#waiters.push(ok);
        setTimeout(ok, 50);
      });
    }
  }
}

/** A feature that installs `invoker` as the server's async invoke path. */
export const installInvoker =
  (invoker: AsyncInvoker): Feature =>
  (app) => {
    app.asyncInvoker = invoker;
  };
