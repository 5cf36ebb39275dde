/**
 * Errors of the EventBridge Scheduler API, by the type names its service model declares
 * (botocore `scheduler/2021-06-30`). `services/scheduler/error-encoding.ts` is the one place they
 * become HTTP.
 */
export type SchedulerErrorCode =
  | 'AccessDeniedException'
  | 'ConflictException'
  | 'InternalServerException'
  | 'ResourceNotFoundException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'UnknownOperationException'
  | 'ValidationException';

export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';

  constructor(
    readonly code: SchedulerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const isSchedulerError = (e: unknown): e is SchedulerError => e instanceof SchedulerError;

export const validation = (message: string) => new SchedulerError('ValidationException', message);

/** `Schedule <name> does not exist.` (the wording moto and LocalStack copy from the service). */
export const scheduleNotFound = (name: string) =>
  new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
