import type { LambdaErrorCode } from '../../domain/errors.js';
import { LambdaError } from '../../domain/errors.js';

/**
 * The one place where Lambda error codes become HTTP: status, `X-Amzn-ErrorType` and the JSON
 * body with the message key the service model names for each type (lambda-reference §1.4).
 */
const ENCODING: Record<LambdaErrorCode, { status: number; messageKey: 'message' | 'Message' }> = {
  AccessDeniedException: { status: 403, messageKey: 'Message' },
  CodeStorageExceededException: { status: 400, messageKey: 'message' },
  InvalidParameterValueException: { status: 400, messageKey: 'message' },
  InvalidRequestContentException: { status: 400, messageKey: 'message' },
  InvalidSignatureException: { status: 403, messageKey: 'message' },
  MissingAuthenticationTokenException: { status: 403, messageKey: 'message' },
  PolicyLengthExceededException: { status: 400, messageKey: 'message' },
  PreconditionFailedException: { status: 412, messageKey: 'message' },
  ProvisionedConcurrencyConfigNotFoundException: { status: 404, messageKey: 'message' },
  RequestEntityTooLargeException: { status: 413, messageKey: 'message' },
  ResourceConflictException: { status: 409, messageKey: 'message' },
  ResourceInUseException: { status: 400, messageKey: 'Message' },
  ResourceNotFoundException: { status: 404, messageKey: 'Message' },
  ResourceNotReadyException: { status: 502, messageKey: 'message' },
  ServiceException: { status: 500, messageKey: 'Message' },
  TooManyRequestsException: { status: 429, messageKey: 'message' },
  UnknownOperationException: { status: 404, messageKey: 'Message' },
  UnrecognizedClientException: { status: 403, messageKey: 'message' },
  ValidationException: { status: 400, messageKey: 'message' },
};

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export function encodeLambdaError(e: LambdaError): EncodedError {
  const { status, messageKey } = ENCODING[e.code];
  const body: Record<string, unknown> = { Type: status >= 500 ? 'Service' : 'User', [messageKey]: e.message };
  const headers: Record<string, string> = { 'x-amzn-errortype': e.code };
  if (e.details.reason) body.Reason = e.details.reason;
  if (e.details.retryAfterSeconds !== undefined) headers['retry-after'] = String(e.details.retryAfterSeconds);
  return { status, headers, body };
}

/** Anything that is not a LambdaError is a bug: the client gets a ServiceException, the log the cause. */
export function internalError(): LambdaError {
  return new LambdaError('ServiceException', 'An internal error occurred. The server log has the details.');
}
