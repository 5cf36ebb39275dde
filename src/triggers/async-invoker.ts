/**
 * The port through which event sources (S3 notifications today) hand an event to the durable
 * asynchronous invoke path (lambda-reference §3: queued, retried, sent to destinations). The
 * async-invoke feature implements it and sets `app.asyncInvoker`; until one is installed, events
 * wait in their source's outbox.
 *
 * `enqueue` must resolve only once the event is durably queued: the caller deletes its own copy
 * then. Resolving twice for one event (after a crash) is allowed; Lambda's async delivery is
 * at-least-once anyway.
 */
export interface AsyncInvokeRequest {
  /** The function to invoke: a name, or an (unqualified or qualified) ARN. */
  functionArn: string;
  /** The event JSON. */
  payload: Buffer;
  /** What sent it, for logs and metrics (e.g. `aws:s3`). */
  source: string;
}

export interface AsyncInvoker {
  enqueue(request: AsyncInvokeRequest): Promise<{ requestId: string }>;
}
