import { isLambdaError } from '../../domain/errors.js';
import {
  isSchedulerError,
  SchedulerError,
  type SchedulerErrorCode,
} from '../../schedules/scheduler-errors.js';

/**
 * The one place where Scheduler API errors become HTTP: the status the service model gives each
 * type, `X-Amzn-ErrorType`, and a JSON body with `Message` (the member the model names). The
 * request-shape checks shared with the Lambda API (`parseMembers`) throw LambdaErrors: their
 * wording is kept and their type becomes the Scheduler's `ValidationException`; authentication
 * failures keep their own types.
 */
const STATUS: Record<SchedulerErrorCode, number> = {
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  UnknownOperationException: 404,
  ValidationException: 400,
};

const AUTH_FAILURES = new Set([
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

export interface EncodedSchedulerError {
  status: number;
  headers: Record<string, string>;
  body: { Message: string };
}

/** Encodes a known error; anything else is a bug and comes back as InternalServerException. */
export function encodeSchedulerError(e: unknown): EncodedSchedulerError | undefined {
  let code: string;
  let status: number;
  if (isSchedulerError(e)) {
    code = e.code;
    status = STATUS[e.code];
  } else if (isLambdaError(e) && AUTH_FAILURES.has(e.code)) {
    code = e.code;
    status = 403;
  } else if (isLambdaError(e) && e.code !== 'ServiceException') {
    code = 'ValidationException';
    status = 400;
  } else {
    return undefined;
  }
  return { status, headers: { 'x-amzn-errortype': code }, body: { Message: (e as Error).message } };
}

export const internalSchedulerError = () =>
  new SchedulerError(
    'InternalServerException',
    'An internal error occurred. The server log has the details.',
  );
