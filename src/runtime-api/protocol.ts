/**
 * The Lambda Runtime API wire names, in one place (lambda-reference §4). The in-sandbox runtimes
 * keep their own copy: they may import nothing from the platform.
 */
export const RUNTIME_API_VERSION = '2018-06-01';

export const PATHS = {
  next: `/${RUNTIME_API_VERSION}/runtime/invocation/next`,
  initError: `/${RUNTIME_API_VERSION}/runtime/init/error`,
  /** `/2018-06-01/runtime/invocation/{id}/response|error` */
  invocationPrefix: `/${RUNTIME_API_VERSION}/runtime/invocation/`,
} as const;

export const HEADERS = {
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  invokedFunctionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
  functionErrorType: 'lambda-runtime-function-error-type',
  functionErrorBody: 'lambda-runtime-function-error-body',
  responseMode: 'lambda-runtime-function-response-mode',
  xrayErrorCause: 'lambda-runtime-function-xray-error-cause',
  /** Nimbus's runtime says how long the invoke took inside it (not a Lambda header). */
  handlerMs: 'nimbus-handler-ms',
} as const;

/** Response mode value a runtime sends when it streams its response. */
export const STREAMING_RESPONSE_MODE = 'streaming';

/** `Category.Reason` error types the platform accepts from `/error`; others become *.Unknown. */
export const ERROR_TYPE_PATTERN = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;
