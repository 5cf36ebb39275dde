import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { sqsClient } from '../support/sqs.js';

const clock = new ShiftedClock();
let s: TestServer;
let sqs: SQSClient;
beforeAll(async () => {
  s = await startTestServer({}, { clock });
  sqs = sqsClient(s.url);
});
afterAll(async () => {
  sqs.destroy();
  await s.close();
});

const counts = async (QueueUrl: string) => {
  const a = (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    )
  ).Attributes!;
  return [
    Number(a.ApproximateNumberOfMessages),
    Number(a.ApproximateNumberOfMessagesNotVisible),
    Number(a.ApproximateNumberOfMessagesDelayed),
  ];
};
const receive = async (QueueUrl: string, VisibilityTimeout?: number) =>
  (
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout })))
      .Messages ?? []
  ).map((m) => m.Body);

describe('MessageRetentionPeriod', () => {
  it('a message older than the retention period is neither counted nor received', async () => {
    const QueueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'short-lived', Attributes: { MessageRetentionPeriod: '60' } }),
      )
    ).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old-in-flight' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old-delayed', DelaySeconds: 900 }));
    // One of them in flight for longer than the retention period.
    const first = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }),
    );
    expect(first.Messages).toHaveLength(1);
    expect(await counts(QueueUrl)).toEqual([1, 1, 1]);

    clock.advance(59_000);
    expect(await counts(QueueUrl)).toEqual([1, 1, 1]);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'young' }));

    clock.advance(2_000); // 61 s after the first three were sent, 2 s after `young`.
    expect(await counts(QueueUrl)).toEqual([1, 0, 0]);
    expect(await receive(QueueUrl)).toEqual(['young']);
    expect(await counts(QueueUrl)).toEqual([0, 1, 0]);

    // `young` expires in turn, even while in flight; and the old ones do not come back.
    clock.advance(60_000);
    expect(await counts(QueueUrl)).toEqual([0, 0, 0]);
    clock.advance(900_000);
    expect(await receive(QueueUrl)).toEqual([]);
    expect(await counts(QueueUrl)).toEqual([0, 0, 0]);
  });

  it('the default retention (4 days) keeps a message for 4 days, not longer', async () => {
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'four-days' }))).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    clock.advance(345_600_000 - 1_000);
    expect(await counts(QueueUrl)).toEqual([1, 0, 0]);
    expect(await receive(QueueUrl, 0)).toEqual(['kept']);
    clock.advance(2_000);
    expect(await counts(QueueUrl)).toEqual([0, 0, 0]);
    expect(await receive(QueueUrl)).toEqual([]);
  });
});
