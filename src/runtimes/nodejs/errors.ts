/**
 * Runtime error types and their wire/log serialisations, as the AWS Node runtime interface client
 * (RIC) produces them (lambda-reference §2.3, §5.2, §5.3). Names are set on the prototype, so
 * `err.name` is `Runtime.<Class>` while `err.constructor.name` stays the class name (the JSON
 * log format reports the latter, like RIC).
 */
import { isNativeError, jsonStringify } from './intrinsics.js';

/** Body of `/invocation/{id}/error` and `/init/error`. */
export interface RapidError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

function runtimeName<T extends abstract new (...args: never[]) => Error>(type: T, name: string): void {
  Object.defineProperty(type.prototype, 'name', { value: name, writable: true, configurable: true });
}

export class ImportModuleError extends Error {
  /** The message is `String(cause)`, e.g. `Error: Cannot find module 'index'\nRequire stack:...`. */
  constructor(cause: unknown) {
    super(String(cause));
  }
}
export class UserCodeSyntaxError extends Error {
  constructor(cause: unknown) {
    super(String(cause));
  }
}
export class HandlerNotFound extends Error {}
export class MalformedHandlerName extends Error {}
export class MalformedStreamingHandler extends Error {}
export class InvalidStreamingOperation extends Error {}
export class CallbackHandlerDeprecated extends Error {}
export class UnhandledPromiseRejection extends Error {
  constructor(
    readonly reason: unknown,
    readonly promise: Promise<unknown>,
  ) {
    super(reason === undefined ? undefined : String(reason));
  }
}
export class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

runtimeName(ImportModuleError, 'Runtime.ImportModuleError');
runtimeName(UserCodeSyntaxError, 'Runtime.UserCodeSyntaxError');
runtimeName(HandlerNotFound, 'Runtime.HandlerNotFound');
runtimeName(MalformedHandlerName, 'Runtime.MalformedHandlerName');
runtimeName(MalformedStreamingHandler, 'Runtime.MalformedStreamingHandler');
runtimeName(InvalidStreamingOperation, 'Runtime.InvalidStreamingOperation');
runtimeName(CallbackHandlerDeprecated, 'Runtime.CallbackHandlerDeprecated');
runtimeName(UnhandledPromiseRejection, 'Runtime.UnhandledPromiseRejection');
runtimeName(NodeJsExit, 'Runtime.NodeJsExit');

interface ErrorLike {
  name: string;
  message: string;
  stack: string;
}

function isErrorLike(value: unknown): value is ErrorLike {
  if (isNativeError(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const { name, message, stack } = value as Partial<Record<keyof ErrorLike, unknown>>;
  return typeof name === 'string' && typeof message === 'string' && typeof stack === 'string';
}

/**
 * `{errorType, errorMessage, trace}`: real (or duck-typed) errors report name/message/stack,
 * anything else `typeof value` / `String(value)` / `[]`.
 */
export function toRapidError(error: unknown): RapidError {
  try {
    if (isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: (error as object).toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function withEnumerableProperties(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const expanded: Record<string, unknown> = {
    errorType: value.name,
    errorMessage: value.message,
    code: (value as { code?: unknown }).code,
    ...value,
  };
  if (typeof value.stack === 'string') expanded.stack = value.stack.split('\n');
  return expanded;
}

/** The tab-prefixed JSON RIC appends to `Invoke Error` / `Uncaught Exception` text log lines. */
export function toFormatted(error: Error): string {
  try {
    return `\t${jsonStringify(error, withEnumerableProperties)}`;
  } catch {
    return `\t${jsonStringify(toRapidError(error))}`;
  }
}

/** Header values may not carry control characters; error names are user-controlled. */
export function toHeaderValue(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}
