import { executionEnv } from '../domain/runtimes.js';
import type { SandboxPaths } from './executor.js';

/** What the platform knows about a function version when it builds a sandbox's environment. */
export interface SandboxIdentity {
  functionName: string;
  version: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  region: string;
  logGroup: string;
  logStream: string;
  logFormat: 'Text' | 'JSON';
  applicationLogLevel?: string;
  userEnvironment: Record<string, string>;
  initializationType: 'on-demand' | 'provisioned-concurrency';
  /** Credentials the function's SDK clients use against Nimbus. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Nimbus's own endpoint, for SDK clients inside the function (`AWS_ENDPOINT_URL`). */
  endpointUrl?: string;
}

/**
 * The full environment of a runtime process, as Lambda sets it (lambda-reference §4.2). User
 * variables may override the conventional ones (PATH, LANG, TZ, NODE_PATH) but never the reserved
 * ones, which the API refuses anyway.
 */
export function sandboxEnvironment(
  id: SandboxIdentity,
  paths: SandboxPaths,
  runtimeApi: string,
): Record<string, string> {
  const opt = paths.optDir;
  const env: Record<string, string> = {
    PATH: `/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:${opt}/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LD_LIBRARY_PATH: `/var/lang/lib:/lib64:/usr/lib64:${paths.runtimeDir}:${paths.runtimeDir}/lib:${paths.taskRoot}:${paths.taskRoot}/lib:${opt}/lib`,
    NODE_PATH: `${opt}/nodejs/node${nodeMajor(id.runtime)}/node_modules:${opt}/nodejs/node_modules:${paths.runtimeDir}/node_modules:${paths.runtimeDir}:${paths.taskRoot}`,
    ...(id.runtime.startsWith('python')
      ? {
          PYTHONPATH: `${opt}/python/lib/${id.runtime}/site-packages:${opt}/python:${paths.runtimeDir}/python`,
        }
      : {}),
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    TMPDIR: paths.tmpDir,
    ...id.userEnvironment,
    _HANDLER: id.handler,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    AWS_LAMBDA_FUNCTION_NAME: id.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: id.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(id.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: id.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: id.logStream,
    AWS_LAMBDA_INITIALIZATION_TYPE: id.initializationType,
    AWS_REGION: id.region,
    AWS_DEFAULT_REGION: id.region,
    AWS_ACCESS_KEY_ID: id.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: id.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: id.credentials.sessionToken,
  };
  const exec = executionEnv(id.runtime);
  if (exec) env.AWS_EXECUTION_ENV = exec;
  if (id.logFormat === 'JSON') {
    env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    if (id.applicationLogLevel) env.AWS_LAMBDA_LOG_LEVEL = id.applicationLogLevel;
  }
  if (id.endpointUrl && !('AWS_ENDPOINT_URL' in id.userEnvironment)) {
    env.AWS_ENDPOINT_URL = id.endpointUrl;
    // The service-specific form SDKs read first; Nimbus's S3 API is on the same port. An IP
    // endpoint makes the SDKs use path-style addressing, which needs no DNS for bucket hosts.
    if (!('AWS_ENDPOINT_URL_S3' in id.userEnvironment)) env.AWS_ENDPOINT_URL_S3 = id.endpointUrl;
  }
  return env;
}

function nodeMajor(runtime: string): string {
  const m = /^nodejs(\d+)/.exec(runtime);
  return m ? m[1]! : '';
}
