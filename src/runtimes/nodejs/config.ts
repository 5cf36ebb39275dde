/**
 * Everything the runtime reads from its environment (lambda-reference §4.2), read once at init,
 * after a zygote has received its function's environment.
 */
export type LogFormat = 'TEXT' | 'JSON';

export interface RuntimeConfig {
  /** `host:port` of the Runtime API, no scheme. */
  runtimeApi: string;
  handler: string;
  taskRoot: string;
  functionName: string | undefined;
  functionVersion: string | undefined;
  /** A string, as on AWS (`context.memoryLimitInMB === "128"`). */
  memorySize: string | undefined;
  logGroupName: string | undefined;
  logStreamName: string | undefined;
  /**
   * RIC v3 semantics (nodejs20.x / 22.x): callback handlers, `context.done/succeed/fail`,
   * `callbackWaitsForEmptyEventLoop`. False for nodejs24.x and later (RIC v4: promises only).
   */
  callbackHandlers: boolean;
  logFormat: LogFormat;
  logLevel: string | undefined;
  installGlobalAwsLambda: boolean;
  warnOnCallbackHandlers: boolean;
}

const FIRST_RUNTIME_WITHOUT_CALLBACKS = 24;

/** `AWS_Lambda_nodejs24.x` → 24; unknown or absent → undefined. */
function nodeRuntimeMajor(executionEnv: string | undefined): number | undefined {
  const match = /nodejs(\d+)/.exec(executionEnv ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function isTruthyFlag(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

export function readConfig(env: NodeJS.ProcessEnv): RuntimeConfig {
  const major = nodeRuntimeMajor(env.AWS_EXECUTION_ENV);
  return {
    runtimeApi: env.AWS_LAMBDA_RUNTIME_API ?? '',
    handler: env._HANDLER ?? '',
    taskRoot: env.LAMBDA_TASK_ROOT ?? process.cwd(),
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memorySize: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackHandlers: major === undefined || major < FIRST_RUNTIME_WITHOUT_CALLBACKS,
    logFormat: env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON' ? 'JSON' : 'TEXT',
    logLevel: env.AWS_LAMBDA_LOG_LEVEL,
    installGlobalAwsLambda: !isTruthyFlag(env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA),
    warnOnCallbackHandlers: env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined,
  };
}
