/**
 * Buffered (non-streaming) invokes: completion semantics of RIC v3 for nodejs20.x/22.x
 * (`invokeWithCallbacks`) and of RIC v4 for nodejs24.x (`invokeWithPromise`); lambda-reference §5.3.
 */
import { clearEmptyEventLoop, onEmptyEventLoop } from './before-exit.js';
import type { RuntimeConfig } from './config.js';
import { buildContext } from './context.js';
import { NodeJsExit } from './errors.js';
import type { UserHandler } from './handler-loader.js';
import { jsonParse, scheduleImmediate } from './intrinsics.js';
import { failure, isThenable, type Outcome, reportOutcome, success } from './outcome.js';
import type { Invocation, RuntimeClient } from './runtime-client.js';
import type { HandlerMetadata } from './streamify.js';

export interface InvokeDeps {
  client: RuntimeClient;
  config: RuntimeConfig;
}

const isSet = (error: unknown) => error !== undefined && error !== null;

/**
 * RIC v3: the first of callback / `context.done|succeed|fail` / returned promise wins.
 * `callback(null, result)` is posted only once the event loop drains, unless the handler set
 * `context.callbackWaitsForEmptyEventLoop = false`. If the loop drains with no completion at all,
 * a sync handler succeeds with `null` and an `async` one fails with `Runtime.NodeJsExit`.
 * Resolves when the outcome has been posted.
 */
export function invokeWithCallbacks(
  handler: UserHandler,
  metadata: HandlerMetadata,
  invocation: Invocation,
  { client, config }: InvokeDeps,
): Promise<void> {
  return new Promise((posted, failed) => {
    let finished = false;
    let waitForEmptyEventLoop = true;
    const finish = (outcome: Outcome) => {
      clearEmptyEventLoop();
      reportOutcome(client, invocation.requestId, outcome).then(posted, failed);
    };
    const firstOnly =
      <A extends unknown[]>(complete: (...args: A) => void) =>
      (...args: A): void => {
        if (finished) return;
        finished = true;
        complete(...args);
      };
    const done = (error?: unknown, result?: unknown) =>
      finish(isSet(error) ? failure(error) : success(result));
    const callback = firstOnly((error?: unknown, result?: unknown) => {
      if (isSet(error) || !waitForEmptyEventLoop) return done(error, result);
      onEmptyEventLoop(() => scheduleImmediate(() => finish(success(result))));
    });
    const completion = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waitForEmptyEventLoop = value;
      },
      succeed: firstOnly((result?: unknown) => done(null, result)),
      // `context.fail()` without an error reports the string "handled", as RIC does.
      fail: firstOnly((error?: unknown) => done(isSet(error) ? error : 'handled')),
      done: firstOnly(done),
    };

    onEmptyEventLoop(() => {
      finished = true;
      finish(metadata.isAsync ? failure(new NodeJsExit()) : success(null));
    });
    try {
      const context = buildContext(completion, config, invocation);
      const result = handler(jsonParse(invocation.body), context, callback);
      if (isThenable(result)) result.then(completion.succeed, completion.fail);
    } catch (error) {
      callback(error);
    }
  });
}

/**
 * RIC v4: the handler's return value (awaited) is the result; callbacks do not exist. The
 * `beforeExit` check still turns a promise that can never settle into `Runtime.NodeJsExit`
 * instead of a silent process exit.
 */
export async function invokeWithPromise(
  handler: UserHandler,
  invocation: Invocation,
  { client, config }: InvokeDeps,
): Promise<void> {
  const outcome = await new Promise<Outcome>((settle) => {
    onEmptyEventLoop(() => settle(failure(new NodeJsExit())));
    new Promise((resolve) =>
      resolve(handler(jsonParse(invocation.body), buildContext({}, config, invocation))),
    ).then(
      (result) => settle(success(result)),
      (error) => settle(failure(error)),
    );
  });
  clearEmptyEventLoop();
  await reportOutcome(client, invocation.requestId, outcome);
}
