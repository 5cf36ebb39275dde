import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { sqsClient } from '../support/sqs.js';

let s: TestServer;
let sqs: SQSClient;
beforeAll(async () => {
  s = await startTestServer();
  sqs = sqsClient(s.url);
});
afterAll(async () => {
  sqs.destroy();
  await s.close();
});

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const create = async (name: string, attributes?: Record<string, string>) =>
  (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
async function rejects(
  p: Promise<unknown>,
): Promise<{ name: string; message: string; Code?: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, Code: err.Code, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('SQS API with @aws-sdk/client-sqs (JSON protocol)', () => {
  it('creates queues idempotently, with URLs on the server address and an ARN', async () => {
    const url = await create('orders', { VisibilityTimeout: '45' });
    expect(url).toBe(`${s.url}/000000000000/orders`);
    expect(await create('orders', { VisibilityTimeout: '45' })).toBe(url);
    const err = await rejects(create('orders', { VisibilityTimeout: '46' }));
    expect(err.name).toBe('QueueNameExists');
    expect(err.Code).toBe('QueueAlreadyExists');
    expect(err.message).toContain('VisibilityTimeout');
    const got = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    expect(got.QueueUrl).toBe(url);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders',
      VisibilityTimeout: '45',
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
    });
    expect(Number(attrs.Attributes!.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
  });

  it('sends and receives with MD5 digests, message and system attributes', async () => {
    const url = await create('attrs');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'héllo',
        MessageAttributes: {
          City: { DataType: 'String', StringValue: 'Any City' },
          Count: { DataType: 'Number', StringValue: '42' },
          Blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 250]) },
        },
        MessageSystemAttributes: {
          AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe(md5('héllo'));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const m = r.Messages![0]!;
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.Body).toBe('héllo');
    expect(m.MD5OfBody).toBe(md5('héllo'));
    expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m.MessageAttributes!.Blob!.BinaryValue).toEqual(new Uint8Array([0, 1, 2, 250]));
    expect(m.MessageAttributes!.Count).toEqual({ DataType: 'Number', StringValue: '42' });
    expect(m.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: '000000000000',
      AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
    });
    expect(Number(m.Attributes!.SentTimestamp)).toBeLessThanOrEqual(
      Number(m.Attributes!.ApproximateFirstReceiveTimestamp),
    );
  });

  it('the MD5 of message attributes is the one SQS documents', async () => {
    const url = await create('md5');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: { SellerName: { DataType: 'String', StringValue: 'Example Store' } },
      }),
    );
    // The worked example of the SQS Developer Guide.
    expect(sent.MD5OfMessageAttributes).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');
  });

  it('hides received messages for the visibility timeout and lets only the latest receipt delete', async () => {
    const url = await create('visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 })))
      .Messages![0]!;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const again = (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          WaitTimeSeconds: 5,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      )
    ).Messages![0]!;
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.Attributes!.ApproximateReceiveCount).toBe('2');
    // A stale receipt handle succeeds and deletes nothing (SQS's rule).
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible).toBe('1');
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: again.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
    const empty = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(empty.Attributes!.ApproximateNumberOfMessages).toBe('0');
    expect(empty.Attributes!.ApproximateNumberOfMessagesNotVisible).toBe('0');
    const gone = await rejects(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: third.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(gone.name).toBe('MessageNotInflight');
  });

  it('long polling returns as soon as a message is sent, and waits out an empty queue', async () => {
    const url = await create('long-poll');
    const t0 = Date.now();
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((r) => setTimeout(r, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const got = await waiting;
    expect(got.Messages![0]!.Body).toBe('wake up');
    expect(Date.now() - t0).toBeLessThan(3000);
    const t1 = Date.now();
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(none.Messages).toBeUndefined();
    expect(Date.now() - t1).toBeGreaterThanOrEqual(950);
  });

  it('delays messages per queue and per message', async () => {
    const url = await create('delayed', { DelaySeconds: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now', DelaySeconds: 0 }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    expect(attrs.Attributes!.ApproximateNumberOfMessagesDelayed).toBe('1');
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(first.Messages!.map((m) => m.Body)).toEqual(['now']);
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    expect(second.Messages!.map((m) => m.Body)).toEqual(['later']);
  });

  it('batches: send, delete and change visibility, with per-entry failures', async () => {
    const url = await create('batches');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    expect(sent.Successful!.map((e) => e.Id).sort()).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages!.map((m) => m.Body).sort()).toEqual(['one', 'three']);
    const handles = got.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! }));
    const vis = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          ...handles.map((h) => ({ ...h, VisibilityTimeout: 60 })),
          { Id: 'bad', ReceiptHandle: 'nope', VisibilityTimeout: 1 },
        ],
      }),
    );
    expect(vis.Successful!.length).toBe(2);
    expect(vis.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: handles }));
    expect(del.Successful!.map((e) => e.Id).sort()).toEqual(['m0', 'm1']);
    const tooMany = await rejects(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
        }),
      ),
    );
    expect(tooMany.name).toBe('TooManyEntriesInBatchRequest');
    const dup = await rejects(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'x', MessageBody: '1' },
            { Id: 'x', MessageBody: '2' },
          ],
        }),
      ),
    );
    expect(dup.name).toBe('BatchEntryIdsNotDistinct');
    const empty = await rejects(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty.name).toBe('EmptyBatchRequest');
    const badId = await rejects(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a b', MessageBody: '1' }] })),
    );
    expect(badId.name).toBe('InvalidBatchEntryId');
    const big = 'x'.repeat(100_000);
    const tooLong = await rejects(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: ['1', '2', '3'].map((Id) => ({ Id, MessageBody: big })),
        }),
      ),
    );
    expect(tooLong.name).toBe('BatchRequestTooLong');
  });

  it('lists queues by prefix with paging, purges and deletes', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await create(n);
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2 }));
    expect(first.QueueUrls).toEqual([`${s.url}/000000000000/page-a`, `${s.url}/000000000000/page-b`]);
    const second = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.QueueUrls).toEqual([`${s.url}/000000000000/page-c`]);
    expect(second.NextToken).toBeUndefined();
    const url = `${s.url}/000000000000/page-a`;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'gone soon' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const again = await rejects(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
    expect(again.name).toBe('PurgeQueueInProgress');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const missing = await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'page-a' })));
    expect(missing).toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
    });
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await create('work-dlq');
    const dlqArn = `arn:aws:sqs:us-east-1:000000000000:work-dlq`;
    const url = await create('work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!.length).toBe(1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!.length).toBe(1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] }),
    );
    expect(dead.Messages![0]!.Body).toBe('poison');
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    expect(sources.queueUrls).toEqual([url]);
    const missingDlq = await rejects(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:nope',
              maxReceiveCount: 2,
            }),
          },
        }),
      ),
    );
    expect(missingDlq.name).toBe('InvalidParameterValue');
  });

  it('FIFO queues keep group order, hold a group while a message is in flight, and deduplicate', async () => {
    const url = await create('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    for (const [group, body] of [
      ['g1', 'a1'],
      ['g1', 'a2'],
      ['g2', 'b1'],
      ['g1', 'a1'],
    ]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }));
    }
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const a1 = first.Messages![0]!;
    expect(a1.Body).toBe('a1');
    expect(a1.Attributes).toMatchObject({ MessageGroupId: 'g1' });
    expect(a1.Attributes!.SequenceNumber).toMatch(/^\d{20}$/);
    // g1 is blocked while a1 is in flight; only g2 is available. The duplicate a1 was dropped.
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(second.Messages!.map((m) => m.Body)).toEqual(['b1']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a1.ReceiptHandle }));
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(third.Messages!.map((m) => m.Body)).toEqual(['a2']);
    const noGroup = await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })));
    expect(noGroup.name).toBe('MissingParameter');
    const noDedup = await create('strict.fifo', { FifoQueue: 'true' });
    const err = await rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: noDedup, MessageBody: 'x', MessageGroupId: 'g' })),
    );
    expect(err.message).toContain('ContentBasedDeduplication');
  });

  describe('bad input gets SQS errors and changes nothing', () => {
    it('invalid queue names and attributes', async () => {
      expect((await rejects(create('bad name'))).name).toBe('InvalidParameterValue');
      expect((await rejects(create('x'.repeat(81)))).name).toBe('InvalidParameterValue');
      expect((await rejects(create('nofifo.fifo'))).name).toBe('InvalidParameterValue');
      const unknown = await rejects(create('q-attr', { Colour: 'blue' }));
      expect(unknown).toMatchObject({ name: 'InvalidAttributeName', message: 'Unknown Attribute Colour.' });
      const range = await rejects(create('q-attr', { VisibilityTimeout: '43201' }));
      expect(range).toMatchObject({
        name: 'InvalidAttributeValue',
        message: 'Invalid value for the parameter VisibilityTimeout.',
      });
      const redrive = await rejects(create('q-attr', { RedrivePolicy: '{"maxReceiveCount":3}' }));
      expect(redrive.name).toBe('InvalidParameterValue');
      const list = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'q-attr' }));
      expect(list.QueueUrls).toBeUndefined();
    });

    it('messages over 256 KB, bad attributes, bad characters', async () => {
      const url = await create('strict');
      const tooBig = await rejects(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(262_145) })),
      );
      expect(tooBig).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(262_144) }));
      const badAttr = await rejects(
        sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: 'x',
            MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } },
          }),
        ),
      );
      expect(badAttr.name).toBe('InvalidParameterValue');
      const noValue = await rejects(
        sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: 'x',
            MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } },
          }),
        ),
      );
      expect(noValue.name).toBe('InvalidParameterValue');
      const control = await rejects(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell \u0007' })),
      );
      expect(control.name).toBe('InvalidMessageContents');
      const empty = await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })));
      expect(empty.name).toBe('MissingParameter');
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(attrs.Attributes!.ApproximateNumberOfMessages).toBe('1');
    });

    it('bad receipt handles, out-of-range receives, unknown queues', async () => {
      const url = await create('handles');
      const bad = await rejects(
        sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
      );
      expect(bad).toMatchObject({ name: 'ReceiptHandleIsInvalid', status: 404 });
      const other = await create('handles-other');
      await sqs.send(new SendMessageCommand({ QueueUrl: other, MessageBody: 'x' }));
      const h = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: other }))).Messages![0]!.ReceiptHandle!;
      const wrongQueue = await rejects(
        sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: h })),
      );
      expect(wrongQueue.name).toBe('ReceiptHandleIsInvalid');
      const max = await rejects(
        sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
      );
      expect(max).toMatchObject({
        name: 'InvalidParameterValue',
        message:
          'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
      });
      const wait = await rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })));
      expect(wait.name).toBe('InvalidParameterValue');
      const nope = await rejects(
        sqs.send(new SendMessageCommand({ QueueUrl: `${s.url}/000000000000/nope`, MessageBody: 'x' })),
      );
      expect(nope.name).toBe('QueueDoesNotExist');
      const badUrl = await rejects(
        sqs.send(new SendMessageCommand({ QueueUrl: 'http://x/not/a/queue/url', MessageBody: 'x' })),
      );
      expect(badUrl.name).toBe('InvalidAddress');
    });
  });

  it('messages survive a restart of Nimbus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-restart-'));
    try {
      const first = await startTestServer({}, { dataDir });
      const c1 = sqsClient(first.url);
      const url = (await c1.send(new CreateQueueCommand({ QueueName: 'durable' }))).QueueUrl!;
      await c1.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
      c1.destroy();
      await first.close();
      const second = await startTestServer({}, { dataDir });
      const c2 = sqsClient(second.url);
      const got = await c2.send(
        new ReceiveMessageCommand({ QueueUrl: `${second.url}/000000000000/durable` }),
      );
      expect(got.Messages![0]!.Body).toBe('kept');
      c2.destroy();
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
