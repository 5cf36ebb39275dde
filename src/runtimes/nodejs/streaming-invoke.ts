/**
 * Streaming invokes (`awslambda.streamifyResponse` handlers), RIC `handleOnceStreaming`: the
 * handler gets `(event, responseStream, context)` and must return a promise; errors before the
 * stream has ended go out as trailers. Loaded lazily: most functions never stream.
 */
import { clearEmptyEventLoop, emptyEventLoop } from './before-exit.js';
import type { InvokeDeps } from './buffered-invoke.js';
import { buildContext } from './context.js';
import type { UserHandler } from './handler-loader.js';
import { jsonParse } from './intrinsics.js';
import { logError } from './log-patch.js';
import { isThenable } from './outcome.js';
import { DEFAULT_STREAM_CONTENT_TYPE } from './protocol.js';
import { failStream, ResponseStream } from './response-stream.js';
import type { Invocation } from './runtime-client.js';
import type { HandlerMetadata } from './streamify.js';
import { openResponseStream } from './streaming-client.js';

const NOT_ASYNC = 'Streaming does not support non-async handlers.';

/** Runs the handler; resolves with what to fail the stream with, or undefined on success. */
async function runHandler(
  handler: UserHandler,
  invocation: Invocation,
  stream: ResponseStream,
  context: object,
  callbackRuntime: boolean,
): Promise<{ error: unknown } | undefined> {
  try {
    const result = handler(jsonParse(invocation.body), stream, context);
    // RIC v3 reports this one as a bare string (errorType "string"); v4 as an Error.
    if (!isThenable(result)) return { error: callbackRuntime ? NOT_ASYNC : new Error(NOT_ASYNC) };
    // A promise that never settles is not an error once the stream has ended and the loop drained.
    const value = await Promise.race([result, emptyEventLoop()]);
    if (value !== undefined) console.warn('Streaming handlers ignore return values.');
    return undefined;
  } catch (error) {
    return { error };
  } finally {
    clearEmptyEventLoop();
  }
}

export async function invokeStreaming(
  handler: UserHandler,
  metadata: HandlerMetadata,
  invocation: Invocation,
  { client, config }: InvokeDeps,
): Promise<void> {
  const { request, done } = openResponseStream(client, invocation.requestId, DEFAULT_STREAM_CONTENT_TYPE);
  const stream = new ResponseStream(request, metadata.highWaterMark);
  let waitForEmptyEventLoop = config.callbackHandlers;
  const completion = config.callbackHandlers
    ? {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value: boolean) {
          waitForEmptyEventLoop = value;
        },
      }
    : {};

  let failed: { error: unknown } | undefined;
  try {
    failed = await runHandler(
      handler,
      invocation,
      stream,
      buildContext(completion, config, invocation),
      config.callbackHandlers,
    );
  } catch (error) {
    failed = { error }; // context headers that are not JSON
  }
  if (failed) {
    logError('Invoke Error', failed.error);
    stream[failStream](failed.error);
  }
  // Like RIC, the invoke is over when the platform has answered the POST, i.e. once the handler
  // (or a pipeline it started) has ended the stream.
  await done;
  if (waitForEmptyEventLoop) await emptyEventLoop();
}
