/**
 * Time as a dependency. Everything that waits, schedules or stamps takes a {@link Clock}, so tests
 * can drive retries and timeouts without sleeping.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** A monotonic high-resolution reading in milliseconds, for durations. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/** `2020-04-10T19:06:32.563+0000`, the string form of FunctionConfiguration.LastModified. */
export function awsTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}
