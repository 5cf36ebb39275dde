// Partial batch responses with Powertools Batch, records parsed by its parser integration: a body
// asking to fail throws, a body that is not an order fails parsing; both are reported as
// `batchItemFailures`, every other record succeeds.
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';

const logger = new Logger();
const processor = new BatchProcessor(EventType.SQS, {
  parser,
  innerSchema: z.object({ n: z.number().int(), fail: z.boolean() }),
  transformer: 'json',
  logger,
});

const recordHandler = async (record) => {
  const { n, fail } = record.body;
  console.log(
    `RECORD ${JSON.stringify({ messageId: record.messageId, n, receiveCount: record.attributes.ApproximateReceiveCount })}`,
  );
  if (fail) throw new Error(`order ${n} cannot be processed`);
};

export const handler = async (event, context) =>
  processPartialResponse(event, recordHandler, processor, { context });

// FIFO queues: a failure fails the rest of its message group (skipGroupOnError), so the group's
// order survives the retry; other groups go on. A body fails while its receive count is at most
// `failUntil`.
const fifoProcessor = new SqsFifoPartialProcessorAsync();

const fifoRecordHandler = async (record) => {
  const { id, failUntil = 0 } = JSON.parse(record.body);
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  console.log(`FIFO ${JSON.stringify({ id, group: record.attributes.MessageGroupId, receiveCount })}`);
  if (receiveCount <= failUntil) throw new Error(`${id} fails on receive ${receiveCount}`);
};

export const fifo = async (event, context) =>
  processPartialResponse(event, fifoRecordHandler, fifoProcessor, { context, skipGroupOnError: true });
