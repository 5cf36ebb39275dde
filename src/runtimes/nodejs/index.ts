/**
 * Entry point of the in-sandbox Node.js runtime (`node dist/runtimes/nodejs/index.js`), the
 * equivalent of AWS's runtime interface client. It talks to the platform only through the
 * Runtime API at `http://$AWS_LAMBDA_RUNTIME_API`.
 *
 * Order matters: every runtime module is imported statically, so built-ins are captured
 * (`intrinsics.ts`) before any user code runs; a zygote waits for its environment before reading
 * any configuration.
 */
import { clearEmptyEventLoop, installBeforeExit, onEmptyEventLoop } from './before-exit.js';
import { type InvokeDeps, invokeWithCallbacks, invokeWithPromise } from './buffered-invoke.js';
import { type RuntimeConfig, readConfig } from './config.js';
import { type CrashState, crash, installCrashHandlers, UNCAUGHT_EXCEPTION_EXIT_CODE } from './crash.js';
import { CallbackHandlerDeprecated, NodeJsExit } from './errors.js';
import { loadHandler, type UserHandler } from './handler-loader.js';
import { exitProcess } from './intrinsics.js';
import { installLayerModuleResolution } from './layer-modules.js';
import { log, patchConsole } from './log-patch.js';
import { type Invoker, runInvokeLoop } from './runtime.js';
import { RuntimeClient } from './runtime-client.js';
import { type HandlerMetadata, handlerMetadata, installGlobalAwsLambda } from './streamify.js';

const CALLBACK_WARNING =
  'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.';
const CALLBACK_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/** RIC v3 warns about `(event, context, callback)` handlers; v4 refuses them at init. */
function checkCallbackStyle(config: RuntimeConfig, metadata: HandlerMetadata): void {
  if (metadata.streaming) return;
  if (!config.callbackHandlers && metadata.argsNum >= 3) {
    throw new CallbackHandlerDeprecated(CALLBACK_REMOVED);
  }
  if (
    config.callbackHandlers &&
    config.warnOnCallbackHandlers &&
    metadata.argsNum === 3 &&
    !metadata.isAsync
  ) {
    console.warn(CALLBACK_WARNING);
  }
}

async function chooseInvoker(
  handler: UserHandler,
  metadata: HandlerMetadata,
  deps: InvokeDeps,
): Promise<Invoker> {
  if (metadata.streaming) {
    const { invokeStreaming } = await import('./streaming-invoke.js');
    return (invocation) => invokeStreaming(handler, metadata, invocation, deps);
  }
  if (deps.config.callbackHandlers) {
    return (invocation) => invokeWithCallbacks(handler, metadata, invocation, deps);
  }
  return (invocation) => invokeWithPromise(handler, invocation, deps);
}

/** Loads the user's handler; on failure reports `/init/error` and resolves undefined (exit pending). */
async function initialize(deps: InvokeDeps, state: CrashState): Promise<Invoker | undefined> {
  const { config, client } = deps;
  // RIC v3 logs init failures as uncaught exceptions (they escape its top-level await), v4 as "Init Error".
  const failInit = (error: unknown) =>
    crash(
      client,
      state,
      config.callbackHandlers ? 'Uncaught Exception' : 'Init Error',
      error,
      UNCAUGHT_EXCEPTION_EXIT_CODE,
    );
  if (config.installGlobalAwsLambda) installGlobalAwsLambda();
  // A top-level await that can never settle would otherwise end the process without a word.
  onEmptyEventLoop(() => failInit(new NodeJsExit()));
  try {
    installLayerModuleResolution(process.env.NODE_PATH);
    const handler = await loadHandler(config.taskRoot, config.handler);
    const metadata = handlerMetadata(handler);
    checkCallbackStyle(config, metadata);
    return await chooseInvoker(handler, metadata, deps);
  } catch (error) {
    failInit(error);
    return undefined;
  } finally {
    clearEmptyEventLoop();
  }
}

async function main(): Promise<void> {
  if (process.env.NIMBUS_ZYGOTE === '1') {
    await import('./streaming-invoke.js');
    const [{ receiveEnvironment, signalReady }, { warmUp }] = await Promise.all([
      import('./zygote.js'),
      import('./warmup.js'),
    ]);
    await warmUp();
    signalReady();
    await receiveEnvironment();
  }
  const config = readConfig(process.env);
  if (!config.runtimeApi) {
    process.stderr.write('nimbus runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
    exitProcess(1);
  }
  patchConsole({ format: config.logFormat, level: config.logLevel });
  const deps: InvokeDeps = { config, client: new RuntimeClient(config.runtimeApi) };
  const state: CrashState = { requestId: undefined, crashing: false };
  installCrashHandlers(deps.client, state);
  installBeforeExit();

  const invoke = await initialize(deps, state);
  if (!invoke || state.crashing) return;
  try {
    await runInvokeLoop(deps.client, invoke, state);
  } catch (error) {
    // The Runtime API went away or answered 5xx: nothing sensible is left to do but report and exit.
    log('INFO', `Unexpected Top Level Error: ${String(error)}`);
    crash(deps.client, state, 'Uncaught Exception', error, UNCAUGHT_EXCEPTION_EXIT_CODE);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`nimbus runtime: ${String((error as Error | undefined)?.stack ?? error)}\n`);
  exitProcess(1);
});
