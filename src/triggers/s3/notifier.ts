import type { BucketRecord } from '../../domain/s3-object.js';
import type { ChangeNotifier, ObjectChange } from '../../objects/changes.js';
import type { OutboxEvent } from '../../store/object-ports.js';
import { buildS3Event, createSequencer } from './event-builder.js';
import { matchingConfigurations, readConfiguration } from './notification-config.js';

/**
 * Turns an object change into one S3 event per matching `LambdaFunctionConfiguration` of the
 * bucket (S3 sends one record per event and configuration).
 */
export class S3Notifier implements ChangeNotifier {
  readonly #sequencer = createSequencer();

  constructor(
    private readonly region: string,
    private readonly bucketOwnerId: string,
  ) {}

  eventsFor(bucket: BucketRecord, change: ObjectChange): OutboxEvent[] {
    if (bucket.notification === undefined) return [];
    const config = readConfiguration(bucket.notification);
    const matches = matchingConfigurations(config, change.eventName, change.object.key);
    if (matches.length === 0) return [];
    const sequencer = this.#sequencer(change.time);
    const removed = change.eventName.startsWith('ObjectRemoved');
    return matches.map((c) => ({
      functionArn: c.functionArn,
      payload: buildS3Event({
        region: this.region,
        eventTime: change.time,
        eventName: change.eventName,
        principalId: change.ctx.principalId,
        sourceIp: change.ctx.sourceIp,
        requestId: change.ctx.requestId,
        hostId: change.ctx.hostId,
        configurationId: c.id,
        bucket: bucket.name,
        bucketOwnerId: this.bucketOwnerId,
        key: change.object.key,
        ...(removed ? {} : { size: change.object.size, eTag: change.object.etag }),
        sequencer,
      }),
    }));
  }
}
