import { CommanderError } from 'commander';

/** Exit codes of the `nimbus` client commands. */
export const EXIT_OK = 0;
/** `nimbus invoke`: the function ran and returned an error (`X-Amz-Function-Error`). */
export const EXIT_FUNCTION_ERROR = 1;
/** Usage errors, API errors, an unreachable server, and bugs. */
export const EXIT_ERROR = 2;

/**
 * An expected failure the user can act on (bad input, an API error, no server). It is printed as
 * one line, `nimbus: <message>`, without a stack trace; the message says what went wrong and,
 * where there is one, how to fix it.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number;

  constructor(message: string, options: ErrorOptions & { exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT_ERROR;
  }
}

/** An error answer of the server: `X-Amzn-ErrorType` plus the body's `message`/`Message`. */
export class ApiError extends CliError {
  override readonly name = 'ApiError';

  constructor(
    /** The Lambda error type, e.g. `ResourceNotFoundException`. */
    readonly type: string,
    readonly status: number,
    readonly apiMessage: string,
  ) {
    super(apiMessage ? `${type}: ${apiMessage}` : type);
  }
}

export interface ErrorSink {
  write(text: string): unknown;
}

/**
 * The one place where errors become CLI output and an exit code. Commander has already printed
 * its own usage errors; user errors get one line; anything else is a bug and says so. Stack traces
 * only with `NIMBUS_DEBUG=1`.
 */
export function reportError(e: unknown, stderr: ErrorSink, debug: boolean): number {
  if (e instanceof CommanderError) {
    // Help and --version end with exit code 0; every other usage error is a usage error.
    return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
  }
  if (e instanceof CliError) {
    stderr.write(`nimbus: ${e.message}\n`);
    if (debug) stderr.write(`${describeStack(e)}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  stderr.write(`nimbus: unexpected error: ${message}\n`);
  if (debug) stderr.write(`${describeStack(e)}\n`);
  else
    stderr.write('nimbus: this is a bug in nimbus; run again with NIMBUS_DEBUG=1 to see the stack trace\n');
  return EXIT_ERROR;
}

function describeStack(e: unknown): string {
  const lines: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    lines.push(
      depth === 0 ? '' : 'Caused by:',
      current instanceof Error ? (current.stack ?? current.message) : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter((l) => l !== '').join('\n');
}
