import { invalidParameter } from './errors.js';
import { ENVIRONMENT_MAX_BYTES } from './limits.js';

/** Keys Lambda sets itself and refuses from users (lambda-reference §4.2). */
export const RESERVED_ENV_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

export const ENV_KEY_PATTERN = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

const PREFIX =
  'Lambda was unable to configure your environment variables because the environment variables you have provided';

/**
 * The semantic checks AWS applies to `Environment.Variables` after the shape is valid: reserved
 * keys, then the 4 KB limit measured over the JSON text of the map.
 */
export function checkEnvironment(vars: Record<string, string>): void {
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENV_KEYS.has(k));
  if (reserved.length > 0) {
    throw invalidParameter(
      `${PREFIX} contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(vars);
  if (Buffer.byteLength(measured) > ENVIRONMENT_MAX_BYTES) {
    throw invalidParameter(`${PREFIX} exceeded the 4KB limit. String measured: ${measured}`);
  }
}
