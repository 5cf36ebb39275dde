/**
 * Typed errors of the Lambda domain. The `code` of a {@link LambdaError} is the AWS error type the
 * client sees (`X-Amzn-ErrorType`); how each code maps to an HTTP status lives in one place only:
 * `services/lambda/error-encoding.ts`.
 */

export const LAMBDA_ERROR_CODES = [
  'AccessDeniedException',
  'CodeStorageExceededException',
  'InvalidParameterValueException',
  'InvalidRequestContentException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'PolicyLengthExceededException',
  'PreconditionFailedException',
  'ProvisionedConcurrencyConfigNotFoundException',
  'RequestEntityTooLargeException',
  'ResourceConflictException',
  'ResourceInUseException',
  'ResourceNotFoundException',
  'ResourceNotReadyException',
  'ServiceException',
  'TooManyRequestsException',
  'UnknownOperationException',
  'UnrecognizedClientException',
  'ValidationException',
] as const;

export type LambdaErrorCode = (typeof LAMBDA_ERROR_CODES)[number];

/** Why a request was throttled; the `Reason` member of TooManyRequestsException. */
export type ThrottleReason =
  | 'ConcurrentInvocationLimitExceeded'
  | 'ReservedFunctionConcurrentInvocationLimitExceeded'
  | 'FunctionInvocationRateLimitExceeded'
  | 'CallerRateLimitExceeded';

export interface LambdaErrorDetails {
  /** TooManyRequestsException: the throttle reason. */
  reason?: ThrottleReason;
  /** TooManyRequestsException: seconds for the `Retry-After` header. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class LambdaError extends Error {
  override readonly name = 'LambdaError';
  constructor(
    readonly code: LambdaErrorCode,
    message: string,
    readonly details: LambdaErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

export function isLambdaError(e: unknown): e is LambdaError {
  return e instanceof LambdaError;
}

export const notFound = (message: string) => new LambdaError('ResourceNotFoundException', message);
export const conflict = (message: string) => new LambdaError('ResourceConflictException', message);
export const invalidParameter = (message: string) =>
  new LambdaError('InvalidParameterValueException', message);
export const invalidContent = (message: string) => new LambdaError('InvalidRequestContentException', message);

/** One violated constraint, rendered the way AWS's validation layer words it. */
export interface ConstraintViolation {
  /** camelCase member path, e.g. `timeout` or `environment.variables`. */
  member: string;
  /** The offending value; `null` renders as `Value null`, a symbol hides it (`Value at ...`). */
  value: unknown;
  /** e.g. `Member must have value less than or equal to 900`. */
  constraint: string;
}

function renderValue(value: unknown): string {
  if (typeof value === 'symbol') return 'Value';
  if (value === null || value === undefined) return 'Value null';
  if (typeof value === 'object') return `Value '${JSON.stringify(value)}'`;
  return `Value '${String(value)}'`;
}

/**
 * `1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must
 * have value less than or equal to 900` (several are joined with `; `).
 */
export function validationError(violations: readonly ConstraintViolation[]): LambdaError {
  const n = violations.length;
  const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
  const body = violations
    .map((v) => `${renderValue(v.value)} at '${v.member}' failed to satisfy constraint: ${v.constraint}`)
    .join('; ');
  return new LambdaError('ValidationException', head + body);
}
