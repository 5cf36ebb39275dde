import { invalidParameter } from '../../domain/errors.js';
import { queueNameFromArn } from '../../queues/queue-names.js';
import type { QueueService } from '../../queues/queue-service.js';
import type { Mapping } from '../esm/mapping.js';
import { STREAM_ONLY } from '../esm/mapping-input.js';
import type { EventSourceKind, SourceRef } from '../esm/source-kind.js';
import { SqsPoller } from './sqs-poller.js';

/** Lambda's settings for SQS sources (lambda-reference §7.4). */
export const SQS_BATCH_DEFAULT = 10;
export const SQS_BATCH_MAX = 10_000;
export const SQS_FIFO_BATCH_MAX = 10;
export const SQS_WINDOW_MAX_SECONDS = 300;

/** SQS queues of this Nimbus (`arn:aws:sqs:<region>:<account>:<name>`) as event sources. */
export function sqsKind(queues: QueueService): EventSourceKind {
  return {
    kind: 'sqs',
    claims: (s) => s.eventSourceArn?.startsWith('arn:aws:sqs:') === true,
    async prepare(m: Mapping, source: SourceRef & Record<string, unknown>) {
      for (const key of STREAM_ONLY) {
        if (source[key] !== undefined && source[key] !== null) {
          throw invalidParameter(
            `Unsupported ${key.charAt(0).toUpperCase()}${key.slice(1)} parameter for SQS event sources.`,
          );
        }
      }
      const name = queueNameFromArn(queues.scope, m.eventSourceArn);
      const queue = name === undefined ? undefined : await queues.findByArn(m.eventSourceArn);
      if (!queue) {
        throw invalidParameter(
          `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue ${m.eventSourceArn} does not exist.`,
        );
      }
      const batchSize = m.batchSize || SQS_BATCH_DEFAULT;
      const max = queue.fifo ? SQS_FIFO_BATCH_MAX : SQS_BATCH_MAX;
      if (batchSize < 1 || batchSize > max) {
        throw invalidParameter(`BatchSize must be between 1 and ${max} for this queue.`);
      }
      if (m.maximumBatchingWindowInSeconds > SQS_WINDOW_MAX_SECONDS) {
        throw invalidParameter(
          `MaximumBatchingWindowInSeconds must be between 0 and ${SQS_WINDOW_MAX_SECONDS}.`,
        );
      }
      if (batchSize > 10 && m.maximumBatchingWindowInSeconds < 1) {
        throw invalidParameter(
          'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
        );
      }
      for (const t of m.functionResponseTypes) {
        if (t !== 'ReportBatchItemFailures')
          throw invalidParameter(`Unsupported FunctionResponseType: ${t}.`);
      }
      return { ...m, batchSize };
    },
    start: (m, ctx) => new SqsPoller(m, { ...ctx, queues }),
  };
}
