/**
 * Function log lines (lambda-reference §5.4): the `console` methods write ONE line per call,
 * synchronously, to stdout (fd 1), which the platform reads line by line. Text lines are
 * `<ISO ts>\t<requestId>\t<LEVEL>\t<util.format(args)>` with every `\n` turned into `\r`; JSON
 * lines are `{"timestamp","level","requestId",["tenantId",]"message"[,errorType,errorMessage,stackTrace]}`.
 * `process.stdout.write` from user code is left alone.
 */
import type { LogFormat } from './config.js';
import { intoError, toFormatted } from './errors.js';
import { bufferFrom, format, jsonStringify, NativeDate, writeSync } from './intrinsics.js';

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 } as const;
type Level = keyof typeof LEVELS;

/** Where RIC keeps the current request id; some libraries read it. */
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const globals = globalThis as unknown as Record<symbol, unknown>;
let tenantId: string | undefined;

let formatLine: (level: Level, args: unknown[]) => string = textLine;
let threshold: number = LEVELS.TRACE;

export function setLogContext(requestId: string | undefined, tenant: string | undefined): void {
  globals[REQUEST_ID] = requestId;
  tenantId = tenant;
}

function timestamp(): string {
  return new NativeDate().toISOString();
}

function textLine(level: Level, args: unknown[]): string {
  return `${timestamp()}\t${String(globals[REQUEST_ID])}\t${level}\t${format(...args)}`;
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return Object.assign(
    {
      errorType: value.constructor?.name ?? 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    },
    value,
  );
}

function jsonLine(level: Level, args: unknown[]): string {
  const record: Record<string, unknown> = { timestamp: timestamp(), level, requestId: globals[REQUEST_ID] };
  if (tenantId) record.tenantId = tenantId;
  if (args.length === 1) {
    record.message = args[0];
    try {
      return jsonStringify(record, jsonErrorReplacer);
    } catch {
      record.message = format(record.message);
      return jsonStringify(record);
    }
  }
  record.message = format(...args);
  const error = args.find((arg): arg is Error => arg instanceof Error);
  if (error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return jsonStringify(record);
}

/** Writes all of `text` to fd 1, retrying when a non-blocking pipe is full. */
function writeStdout(text: string): void {
  const bytes = bufferFrom(text);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return; // stdout gone: drop the line
    }
  }
}

function emit(level: Level, args: unknown[]): void {
  if (LEVELS[level] < threshold) return;
  // `console.log()` logs "undefined" on AWS: the first argument is always formatted.
  const line = formatLine(level, args.length === 0 ? [undefined] : args);
  writeStdout(`${line.replace(/\n/g, '\r')}\n`);
}

/** Runtime-originated log line, subject to the same level filter as user logs. */
export function log(level: Level, ...args: unknown[]): void {
  emit(level, args);
}

/** `Invoke Error` / `Uncaught Exception` lines, as RIC's `structuredConsole.logError`. */
export function logError(label: string, error: unknown): void {
  const asError = intoError(error);
  if (formatLine === jsonLine) emit('ERROR', [asError]);
  else emit('ERROR', [label, toFormatted(asError)]);
}

export function patchConsole(options: { format: LogFormat; level: string | undefined }): void {
  formatLine = options.format === 'JSON' ? jsonLine : textLine;
  threshold = LEVELS[options.level?.toUpperCase() as Level] ?? LEVELS.TRACE;
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  const method =
    (level: Level) =>
    (...args: unknown[]) =>
      emit(level, args);
  target.trace = method('TRACE');
  target.debug = method('DEBUG');
  target.info = method('INFO');
  target.log = target.info;
  target.warn = method('WARN');
  target.error = method('ERROR');
  target.fatal = method('FATAL');
}
