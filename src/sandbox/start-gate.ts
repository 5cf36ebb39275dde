/**
 * How many sandboxes may be starting at once on this host, shared by all pools. Starting a
 * runtime is CPU work (tens of milliseconds for a fresh Node process, a few for a zygote); a
 * burst of a hundred cold starts on two cores would otherwise take them all down together and
 * finish none early. With the gate, the first ones come up quickly and serve the queue while the
 * rest follow.
 */
export class StartGate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  get running(): number {
    return this.#running;
  }

  tryEnter(): boolean {
    if (this.#running >= this.max) return false;
    this.#running++;
    return true;
  }

  /** Calls `retry` once a start has finished (it should `tryEnter` again). */
  whenFree(retry: () => void): void {
    this.#waiting.push(retry);
  }

  leave(): void {
    this.#running = Math.max(0, this.#running - 1);
    // Offer the free places in order; a pool that no longer needs one passes it on.
    while (this.#running < this.max && this.#waiting.length > 0) this.#waiting.shift()!();
  }
}
