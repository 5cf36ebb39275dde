import type { FunctionRef } from '../domain/arn.js';

/**
 * The ports of asynchronous invocation that other parts of Nimbus implement or call. They are
 * kept small on purpose: issues built in parallel (reserved concurrency, the queue service,
 * S3 notifications, schedules) plug in here without knowing the dispatcher.
 */

export interface AsyncInvokeRequest {
  ref: FunctionRef;
  /** The event, already checked to be JSON. */
  payload: Buffer;
  /**
   * The id to use (the `x-amzn-RequestId` of an `Event` invoke); a new one when absent. An id
   * that is already queued (or kept as failed, or succeeded within the last hour) is not queued
   * again: `invokeAsync` resolves with it, so a caller may hand the same event over twice.
   */
  requestId?: string;
  traceId?: string;
}

/**
 * Invokes a function asynchronously: checks that it exists and can run, stores the event durably
 * and resolves with the request id once the event is committed. Whoever invokes asynchronously
 * (`Event` invokes, InvokeAsync, Lambda destinations, S3 notifications, schedules) goes through
 * this one port; the answer to the caller must wait for the promise.
 */
export interface EventInvoker {
  invokeAsync(req: AsyncInvokeRequest): Promise<string>;
}

/**
 * What the dispatcher asks about reserved concurrency (PutFunctionConcurrency). A function whose
 * reserved concurrency is 0 is fully throttled: Lambda sends its queued events straight to the
 * failure path without running them. Until reserved concurrency exists, no function is.
 */
export interface ReservedConcurrency {
  /** The function's reserved concurrency, or undefined when it has none. */
  reservedFor(functionName: string): number | undefined;
}

export const NO_RESERVED_CONCURRENCY: ReservedConcurrency = { reservedFor: () => undefined };

/** One delivery to a destination. */
export interface DestinationMessage {
  /**
   * The message body (JSON): the invocation record for OnSuccess/OnFailure destinations, the
   * original event for a dead-letter queue.
   */
  body: Buffer;
  /** Dead-letter queues only: the message attributes Lambda adds (lambda-reference §3). */
  attributes?: { RequestID: string; ErrorCode: number; ErrorMessage: string };
  /** The source event's request id and function ARN (qualified). */
  requestId: string;
  sourceFunctionArn: string;
}

/**
 * Delivers to destinations of one AWS service, named as in their ARNs (`lambda`; the queue service
 * adds `sqs`). Registered with the destination router, which picks the sender by ARN.
 */
export interface DestinationSender {
  readonly service: string;
  /**
   * Called when a destination is configured: throws a LambdaError (InvalidParameterValueException
   * `The destination ARN <arn> is invalid.`) when the target does not exist.
   */
  validate(arn: string, sourceFunctionName: string): Promise<void>;
  /** Delivers durably; throws {@link DestinationUnavailableError} when the target is gone. */
  send(arn: string, message: DestinationMessage): Promise<void>;
}

/** The destination cannot take the message (it was deleted, or its service is not available). */
export class DestinationUnavailableError extends Error {
  override readonly name = 'DestinationUnavailableError';
}
