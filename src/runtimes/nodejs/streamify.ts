/**
 * `globalThis.awslambda` (lambda-reference §5.1) and the handler metadata it produces:
 * `streamifyResponse` tags a handler with RIC's well-known symbols, which the loop reads to
 * choose buffered or streaming invokes.
 */
import { MalformedStreamingHandler } from './errors.js';
import type { UserHandler } from './handler-loader.js';
import { HttpResponseStream } from './http-response-stream.js';

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

type TaggedHandler = UserHandler & { [HANDLER_STREAMING]?: unknown; [HANDLER_HIGHWATERMARK]?: unknown };

export interface HandlerMetadata {
  streaming: boolean;
  highWaterMark: number | undefined;
  /** Declared `async` (RIC: a never-settling async handler fails with `Runtime.NodeJsExit`). */
  isAsync: boolean;
  argsNum: number;
}

function streamifyResponse(handler: UserHandler, options?: { highWaterMark?: unknown }): UserHandler {
  const tagged = handler as TaggedHandler;
  tagged[HANDLER_STREAMING] = STREAM_RESPONSE;
  if (typeof options?.highWaterMark === 'number') {
    tagged[HANDLER_HIGHWATERMARK] = Number.parseInt(String(options.highWaterMark), 10);
  }
  return handler;
}

export function installGlobalAwsLambda(): void {
  const scope = globalThis as unknown as { awslambda?: object };
  scope.awslambda = { ...scope.awslambda, streamifyResponse, HttpResponseStream };
}

function isStreaming(handler: TaggedHandler): boolean {
  const mode = handler[HANDLER_STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

function isAsyncFunction(handler: UserHandler): boolean {
  try {
    return handler.constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}

export function handlerMetadata(handler: UserHandler): HandlerMetadata {
  const tagged = handler as TaggedHandler;
  const highWaterMark = Number.parseInt(String(tagged[HANDLER_HIGHWATERMARK]), 10);
  return {
    streaming: isStreaming(tagged),
    highWaterMark: Number.isNaN(highWaterMark) ? undefined : highWaterMark,
    isAsync: isAsyncFunction(handler),
    argsNum: handler.length,
  };
}
