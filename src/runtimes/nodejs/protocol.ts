/**
 * Runtime API wire names (lambda-reference §4). A copy of `src/runtime-api/protocol.ts`: code
 * running in the sandbox may import nothing from the platform.
 */
const PREFIX = '/2018-06-01/runtime';

export const PATHS = {
  next: `${PREFIX}/invocation/next`,
  initError: `${PREFIX}/init/error`,
  response: (requestId: string) => `${PREFIX}/invocation/${encodeURIComponent(requestId)}/response`,
  error: (requestId: string) => `${PREFIX}/invocation/${encodeURIComponent(requestId)}/error`,
} as const;

/** Headers on `GET next` (Node lower-cases incoming header names). */
export const INVOKE_HEADERS = {
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  invokedFunctionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
} as const;

/** Headers and trailers the runtime sends. */
export const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
export const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';
export const RESPONSE_MODE_HEADER = 'Lambda-Runtime-Function-Response-Mode';
/**
 * Nimbus's own addition (other platforms ignore it): how long the invoke took inside the runtime,
 * from receiving the event to posting the outcome. The platform's own measure also holds the time
 * its messages spent queued; pools size themselves on this one.
 */
export const HANDLER_MS_HEADER = 'Nimbus-Handler-Ms';
export const STREAMING_RESPONSE_MODE = 'streaming';

export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
