/**
 * The runtime's single `beforeExit` slot (RIC `BeforeExitListener`). Node emits `beforeExit` when
 * the event loop has drained; the runtime uses it to finish callback-style invokes that wait for
 * an empty loop, and to detect handlers whose promise can never settle. Listeners are one-shot.
 */
import { onProcess } from './intrinsics.js';

let listener: (() => void) | undefined;

export function installBeforeExit(): void {
  onProcess('beforeExit', () => {
    const run = listener;
    listener = undefined;
    run?.();
  });
}

export function onEmptyEventLoop(run: () => void): void {
  listener = run;
}

export function clearEmptyEventLoop(): void {
  listener = undefined;
}

/** Resolves the next time the event loop drains. */
export function emptyEventLoop(): Promise<void> {
  return new Promise((resolve) => onEmptyEventLoop(resolve));
}
