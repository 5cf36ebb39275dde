import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_LOGGER, functionEvents } from '../support/function-events.js';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { eventually, sqsClient } from '../support/sqs.js';

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

const ACCOUNT = '000000000000';
const arnOf = (queue: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`;
const queue = async (name: string, attributes?: Record<string, string>) =>
  (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
async function rejects(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}
async function enabled(uuid: string) {
  return eventually(async () => {
    const m = await s.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    return m.State === 'Enabled' ? m : undefined;
  });
}
async function countIn(
  url: string,
  attribute: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible',
) {
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [attribute] }));
  return Number(a.Attributes![attribute]);
}

/** Logs every event; fails the items whose body contains "fail"; throws on a first "throw". */
const HANDLER = `${EVENT_LOGGER}
exports.handler = async (event) => {
  exports.logEvent(event);
  if (event.Records.some((r) => r.body.includes('throw') && r.attributes.ApproximateReceiveCount === '1')) {
    throw new Error('asked to throw');
  }
  const failed = event.Records.filter((r) => r.body.includes('fail'));
  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
};`;

describe('SQS event source mappings', () => {
  it('delivers messages as the exact SQS event and deletes them after success', async () => {
    await createFunction(s.lambda, 'sqs-consumer', { 'index.js': HANDLER });
    const url = await queue('deliveries');
    const created = await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'sqs-consumer',
        EventSourceArn: arnOf('deliveries'),
        BatchSize: 5,
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created.State).toBe('Creating');
    expect(created.UUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.LastModified).toBeInstanceOf(Date);
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:sqs-consumer`);
    expect(created.EventSourceMappingArn).toBe(
      `arn:aws:lambda:us-east-1:${ACCOUNT}:event-source-mapping:${created.UUID}`,
    );
    await enabled(created.UUID!);

    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"order":1}',
        MessageAttributes: { Kind: { DataType: 'String', StringValue: 'order' } },
      }),
    );
    const events = await eventually(async () => {
      const e = await functionEvents(s.url, 'sqs-consumer');
      return e.length ? e : undefined;
    });
    const record = events[0]!.Records[0]!;
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"order":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: ACCOUNT,
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        Kind: { stringValue: 'order', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      md5OfBody: sent.MD5OfMessageBody,
      eventSource: 'aws:sqs',
      eventSourceARN: arnOf('deliveries'),
      awsRegion: 'us-east-1',
    });
    await eventually(async () =>
      (await countIn(url, 'ApproximateNumberOfMessagesNotVisible')) === 0 ? true : undefined,
    );
    expect(await countIn(url, 'ApproximateNumberOfMessages')).toBe(0);
    const got = await s.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    expect(got.LastProcessingResult).toBe('OK');
  });

  it('batches within BatchSize and the batching window', async () => {
    await createFunction(s.lambda, 'sqs-batches', { 'index.js': HANDLER });
    const url = await queue('batched');
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${i}` })),
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `c${i}` })),
      }),
    );
    const m = await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'sqs-batches',
        EventSourceArn: arnOf('batched'),
        BatchSize: 15,
        MaximumBatchingWindowInSeconds: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
      }),
    );
    const events = await eventually(async () => {
      const e = await functionEvents(s.url, 'sqs-batches');
      const total = e.reduce((n, ev) => n + ev.Records.length, 0);
      return total >= 15 ? e : undefined;
    });
    expect(events.length).toBe(1);
    expect(events[0]!.Records.length).toBe(15);
    expect(m.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
  });

  it('ReportBatchItemFailures: listed messages come back, the rest are deleted; failures reach the DLQ', async () => {
    await createFunction(s.lambda, 'sqs-partial', { 'index.js': HANDLER });
    const dlq = await queue('partial-dlq');
    const url = await queue('partial', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('partial-dlq'), maxReceiveCount: 2 }),
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'ok-1' },
          { Id: 'b', MessageBody: 'please fail' },
          { Id: 'c', MessageBody: 'ok-2' },
        ],
      }),
    );
    await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'sqs-partial',
        EventSourceArn: arnOf('partial'),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    const dead = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] })))
          .Messages,
      20_000,
      'the failed message in the DLQ',
    );
    expect(dead.map((m) => m.Body)).toEqual(['please fail']);
    const events = await functionEvents(s.url, 'sqs-partial');
    const bodies = events.flatMap((e) =>
      e.Records.map((r) => `${r.body}#${(r.attributes as Record<string, string>).ApproximateReceiveCount}`),
    );
    // ok-1 and ok-2 once; the failing one twice (maxReceiveCount 2), then redriven.
    expect(bodies.filter((b) => b.startsWith('ok-')).sort()).toEqual(['ok-1#1', 'ok-2#1']);
    expect(bodies.filter((b) => b.startsWith('please')).sort()).toEqual(['please fail#1', 'please fail#2']);
    expect(await countIn(url, 'ApproximateNumberOfMessages')).toBe(0);
  });

  it('a function error leaves the batch in the queue; it comes back after the visibility timeout', async () => {
    await createFunction(s.lambda, 'sqs-retry', { 'index.js': HANDLER });
    const url = await queue('retried', { VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'throw the first time' }));
    const m = await s.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'sqs-retry', EventSourceArn: arnOf('retried') }),
    );
    const events = await eventually(async () => {
      const e = await functionEvents(s.url, 'sqs-retry');
      return e.length >= 2 ? e : undefined;
    });
    expect(
      events.map((e) => (e.Records[0]!.attributes as Record<string, string>).ApproximateReceiveCount),
    ).toEqual(['1', '2']);
    await eventually(async () =>
      (await countIn(url, 'ApproximateNumberOfMessagesNotVisible')) === 0 ? true : undefined,
    );
    expect(await countIn(url, 'ApproximateNumberOfMessages')).toBe(0);
    const status = (await (
      await fetch(`${s.url}/nimbus/v1/event-source-mappings?FunctionName=sqs-retry`)
    ).json()) as {
      EventSourceMappings: unknown[];
    };
    expect(status.EventSourceMappings[0]).toMatchObject({
      UUID: m.UUID,
      LastProcessingResult: 'OK',
      Status: {
        LastError: expect.stringContaining('Function call failed: Error: asked to throw'),
        LagCount: 0,
      },
    });
  });

  it('ScalingConfig.MaximumConcurrency caps concurrent batches', async () => {
    await createFunction(s.lambda, 'sqs-slow', {
      'index.js': `${EVENT_LOGGER}
exports.handler = async (event) => {
  const start = Date.now();
  await new Promise((r) => setTimeout(r, 250));
  exports.logEvent({ Records: event.Records, start, end: Date.now() });
};`,
    });
    const url = await queue('concurrency');
    for (let i = 0; i < 2; i++) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 6 }, (_, j) => ({ Id: `m${j}`, MessageBody: `${i}-${j}` })),
        }),
      );
    }
    await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'sqs-slow',
        EventSourceArn: arnOf('concurrency'),
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
      }),
    );
    const events = await eventually(async () => {
      const e = await functionEvents<{ Records: unknown[]; start: number; end: number }>(s.url, 'sqs-slow');
      return e.length >= 12 ? e : undefined;
    }, 30_000);
    // The most invocations running at one instant (a sweep over start and end times).
    const edges = events.flatMap((e) => [
      { at: e.start, d: 1 },
      { at: e.end, d: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.d - b.d);
    let running = 0;
    let peak = 0;
    for (const e of edges) {
      running += e.d;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
  });

  it('an invalid item identifier in a partial batch response fails the whole batch', async () => {
    await createFunction(s.lambda, 'sqs-bad-response', {
      'index.js': `${EVENT_LOGGER}
exports.handler = async (event) => {
  exports.logEvent(event);
  return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
};`,
    });
    const url = await queue('bad-response', { VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again and again' }));
    const m = await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'sqs-bad-response',
        EventSourceArn: arnOf('bad-response'),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    await eventually(async () =>
      (await functionEvents(s.url, 'sqs-bad-response')).length >= 2 ? true : undefined,
    );
    const got = await s.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
    expect(got.LastProcessingResult).toMatch(/^PROBLEM: Invalid batch item failures response/);
    await s.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: false }));
  });

  it('FilterCriteria passes matching messages and deletes the rest', async () => {
    await createFunction(s.lambda, 'sqs-filtered', { 'index.js': HANDLER });
    const url = await queue('filtered');
    await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'sqs-filtered',
        EventSourceArn: arnOf('filtered'),
        FilterCriteria: {
          Filters: [
            { Pattern: JSON.stringify({ body: { kind: ['order'], amount: [{ numeric: ['>', 10] }] } }) },
          ],
        },
      }),
    );
    for (const body of [
      '{"kind":"order","amount":5}',
      'plain text',
      '{"kind":"order","amount":50}',
      '{"kind":"refund","amount":50}',
    ]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    }
    await eventually(async () =>
      (await countIn(url, 'ApproximateNumberOfMessages')) +
        (await countIn(url, 'ApproximateNumberOfMessagesNotVisible')) ===
      0
        ? true
        : undefined,
    );
    const events = await functionEvents(s.url, 'sqs-filtered');
    expect(events.flatMap((e) => e.Records.map((r) => r.body))).toEqual(['{"kind":"order","amount":50}']);
  });

  it('lists, updates, disables and deletes mappings with their states', async () => {
    await createFunction(s.lambda, 'sqs-admin', { 'index.js': HANDLER });
    await queue('admin');
    const m = await s.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'sqs-admin', EventSourceArn: arnOf('admin') }),
    );
    await enabled(m.UUID!);
    const list = await s.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'sqs-admin' }));
    expect(list.EventSourceMappings!.map((x) => x.UUID)).toEqual([m.UUID]);
    const byArn = await s.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: arnOf('admin') }));
    expect(byArn.EventSourceMappings!.map((x) => x.UUID)).toEqual([m.UUID]);
    const updated = await s.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: m.UUID, BatchSize: 3, Enabled: false }),
    );
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated.State).toBe('Disabling');
    expect(updated.BatchSize).toBe(3);
    await eventually(async () =>
      (await s.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State === 'Disabled'
        ? true
        : undefined,
    );
    const reenabled = await s.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: true }),
    );
    expect(reenabled.State).toBe('Enabling');
    await enabled(m.UUID!);
    const deleted = await s.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
    expect(deleted.$metadata.httpStatusCode).toBe(202);
    expect(deleted.State).toBe('Deleting');
    const gone = await eventually(async () => {
      try {
        await s.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
        return undefined;
      } catch (e) {
        return e as Error;
      }
    });
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('bad input is refused with Lambda errors and creates nothing', async () => {
    await createFunction(s.lambda, 'sqs-bad', { 'index.js': HANDLER });
    await queue('bad-input');
    const noFn = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: 'missing', EventSourceArn: arnOf('bad-input') }),
      ),
    );
    expect(noFn.name).toBe('ResourceNotFoundException');
    const noQueue = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: 'sqs-bad', EventSourceArn: arnOf('nope') }),
      ),
    );
    expect(noQueue.name).toBe('InvalidParameterValueException');
    expect(noQueue.message).toContain('NonExistentQueue');
    const window = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'sqs-bad',
          EventSourceArn: arnOf('bad-input'),
          BatchSize: 11,
        }),
      ),
    );
    expect(window.message).toBe(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
    const pattern = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'sqs-bad',
          EventSourceArn: arnOf('bad-input'),
          FilterCriteria: { Filters: [{ Pattern: '{not json' }] },
        }),
      ),
    );
    expect(pattern.name).toBe('InvalidParameterValueException');
    const scaling = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'sqs-bad',
          EventSourceArn: arnOf('bad-input'),
          ScalingConfig: { MaximumConcurrency: 1 },
        }),
      ),
    );
    expect(scaling.name).toBe('ValidationException');
    const position = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'sqs-bad',
          EventSourceArn: arnOf('bad-input'),
          StartingPosition: 'LATEST',
        }),
      ),
    );
    expect(position.name).toBe('InvalidParameterValueException');
    const unknown = await rejects(
      s.lambda.send(new GetEventSourceMappingCommand({ UUID: '00000000-0000-0000-0000-000000000000' })),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    expect(
      (await s.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'sqs-bad' })))
        .EventSourceMappings,
    ).toEqual([]);
    await s.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'sqs-bad', EventSourceArn: arnOf('bad-input') }),
    );
    const dup = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: 'sqs-bad', EventSourceArn: arnOf('bad-input') }),
      ),
    );
    expect(dup.name).toBe('ResourceConflictException');
  });
});
