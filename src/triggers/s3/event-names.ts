/**
 * Event types a bucket notification may name (Amazon S3 User Guide, "Supported event types") and
 * how a configured type matches an event: `s3:ObjectCreated:*` matches every `ObjectCreated:...`.
 * Events carry the name without the `s3:` prefix (lambda-reference §7.3).
 */
export const NOTIFICATION_EVENT_TYPES = [
  's3:TestEvent',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:Replication:OperationNotTracked',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
] as const;

/** The changes Nimbus's object store emits. */
export type { ChangeEventName as EmittedEventName } from '../../objects/changes.js';

export function isNotificationEventType(t: string): boolean {
  return (NOTIFICATION_EVENT_TYPES as readonly string[]).includes(t);
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; `s3:ObjectCreated:Put` only itself. */
export function eventTypeMatches(configured: string, eventName: string): boolean {
  const name = configured.replace(/^s3:/, '');
  if (name.endsWith(':*')) return eventName.startsWith(name.slice(0, -1));
  return name === eventName;
}

/** Whether two configured types can match the same event (for the overlap check). */
export function eventTypesOverlap(a: string, b: string): boolean {
  const strip = (t: string) => t.replace(/^s3:/, '');
  const [x, y] = [strip(a), strip(b)];
  if (x === y) return true;
  if (x.endsWith(':*') && y.startsWith(x.slice(0, -1))) return true;
  return y.endsWith(':*') && x.startsWith(y.slice(0, -1));
}
