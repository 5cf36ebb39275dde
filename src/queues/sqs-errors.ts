/**
 * Typed errors of the queue service. The `code` is the error shape name of the SQS model
 * (`QueueDoesNotExist`); how each code is written on the wire (the query protocol's legacy code
 * such as `AWS.SimpleQueueService.NonExistentQueue`, the HTTP status, the JSON `__type`) lives in
 * one place only: `services/sqs/error-encoding.ts`.
 */
export const SQS_ERROR_CODES = [
  'BatchEntryIdsNotDistinct',
  'BatchRequestTooLong',
  'EmptyBatchRequest',
  'InternalError',
  'InvalidAction',
  'InvalidAddress',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'InvalidBatchEntryId',
  'InvalidClientTokenId',
  'InvalidIdFormat',
  'InvalidMessageContents',
  'InvalidParameterValue',
  'MessageNotInflight',
  'MissingAuthenticationToken',
  'MissingParameter',
  'OverLimit',
  'PurgeQueueInProgress',
  'QueueDoesNotExist',
  'QueueNameExists',
  'ReceiptHandleIsInvalid',
  'SignatureDoesNotMatch',
  'TooManyEntriesInBatchRequest',
  'UnsupportedOperation',
] as const;

export type SqsErrorCode = (typeof SQS_ERROR_CODES)[number];

export class SqsError extends Error {
  override readonly name = 'SqsError';
  constructor(
    readonly code: SqsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isSqsError = (e: unknown): e is SqsError => e instanceof SqsError;

export const queueDoesNotExist = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/** `Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.` */
export function invalidParameter(name: string, value: unknown, reason: string): SqsError {
  return new SqsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );
}

export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
