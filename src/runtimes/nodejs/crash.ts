/**
 * Fatal paths (lambda-reference §5.3): an uncaught exception or unhandled rejection, an init
 * failure, or a broken Runtime API connection is logged, posted (to `/init/error` before the first
 * invoke, else to the current invoke's `/error`), and the process exits (129 for exceptions, 128
 * for unhandled rejections, as RIC).
 */
import { UnhandledPromiseRejection } from './errors.js';
import { exitProcess, onProcess, scheduleTimeout } from './intrinsics.js';
import { logError } from './log-patch.js';
import type { RuntimeClient } from './runtime-client.js';

export const UNCAUGHT_EXCEPTION_EXIT_CODE = 129;
export const UNHANDLED_REJECTION_EXIT_CODE = 128;
/** Exit even if the platform never answers the crash report. */
const CRASH_REPORT_TIMEOUT_MS = 2_000;

export interface CrashState {
  /** Invoke in flight (or last one); undefined during init. */
  requestId: string | undefined;
  crashing: boolean;
}

export function crash(
  client: RuntimeClient,
  state: CrashState,
  label: string,
  error: unknown,
  exitCode: number,
): void {
  if (state.crashing) return; // the first crash is the one reported; its exit is on the way
  state.crashing = true;
  logError(label, error);
  const exit = () => exitProcess(exitCode);
  scheduleTimeout(exit, CRASH_REPORT_TIMEOUT_MS);
  const report =
    state.requestId === undefined
      ? client.postInitError(error)
      : client.postInvocationError(state.requestId, error, true);
  report.then(exit, exit);
}

export function installCrashHandlers(client: RuntimeClient, state: CrashState): void {
  onProcess('uncaughtException', (error) => {
    crash(client, state, 'Uncaught Exception', error, UNCAUGHT_EXCEPTION_EXIT_CODE);
  });
  onProcess('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    crash(client, state, 'Unhandled Promise Rejection', error, UNHANDLED_REJECTION_EXIT_CODE);
  });
}
