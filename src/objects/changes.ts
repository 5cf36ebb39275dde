import type { BucketRecord, ObjectRecord } from '../domain/s3-object.js';
import type { OutboxEvent } from '../store/object-ports.js';

/** Who made a request, for the notifications it causes. */
export interface RequestContext {
  requestId: string;
  hostId: string;
  /** `AWS:<access key id>` for signed requests, `Anonymous` otherwise. */
  principalId: string;
  sourceIp: string;
}

export type ChangeEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

export interface ObjectChange {
  eventName: ChangeEventName;
  /** The new object, or the removed one. */
  object: ObjectRecord;
  time: number;
  ctx: RequestContext;
}

/**
 * Decides which notifications a change causes. Implemented by the S3 trigger
 * (`triggers/s3/notifier.ts`); the object store commits the events it returns together with the
 * change, so a committed change is never without its notifications.
 */
export interface ChangeNotifier {
  eventsFor(bucket: BucketRecord, change: ObjectChange): OutboxEvent[];
}

export const NO_NOTIFICATIONS: ChangeNotifier = { eventsFor: () => [] };
