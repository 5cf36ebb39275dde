import {
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { sqsClient } from '../support/sqs.js';

/**
 * The async path meets the queue service: a queue as an OnFailure/OnSuccess destination and as a
 * function's dead-letter queue, with the exact record and the attributes Lambda adds.
 */
let s: TestServer;
let sqs: SQSClient;
const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

beforeAll(async () => {
  s = await startTestServer({ asyncDelayScale: 0.001 });
  sqs = sqsClient(s.url);
  for (const QueueName of ['failures', 'successes', 'dead-letters'])
    await sqs.send(new CreateQueueCommand({ QueueName }));
  await createFunction(s.lambda, 'flaky', {
    'index.js':
      'exports.handler = async (e) => { if (e.fail) throw new Error("nope: " + e.n); return { ok: e.n }; };',
  });
});
afterAll(async () => {
  sqs.destroy();
  await s.close();
});

async function receiveOne(queue: string) {
  const QueueUrl = `${s.url}/000000000000/${queue}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MessageAttributeNames: ['All'] }),
    );
    if (r.Messages?.length) return r.Messages[0]!;
  }
  throw new Error(`nothing arrived on ${queue}`);
}

describe('queues as async destinations', () => {
  it('sends the invocation record to OnFailure and OnSuccess queues', async () => {
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'flaky',
        MaximumRetryAttempts: 1,
        DestinationConfig: {
          OnFailure: { Destination: QUEUE_ARN('failures') },
          OnSuccess: { Destination: QUEUE_ARN('successes') },
        },
      }),
    );
    const failed = await s.lambda.send(
      new InvokeCommand({
        FunctionName: 'flaky',
        InvocationType: 'Event',
        Payload: Buffer.from('{"fail":true,"n":1}'),
      }),
    );
    const record = JSON.parse((await receiveOne('failures')).Body!);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: failed.$metadata.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { fail: true, n: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'nope: 1' },
    });
    await s.lambda.send(
      new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{"n":2}') }),
    );
    const success = JSON.parse((await receiveOne('successes')).Body!);
    expect(success).toMatchObject({ requestContext: { condition: 'Success' }, responsePayload: { ok: 2 } });
  });

  it('refuses a queue that does not exist as a destination', async () => {
    await expect(
      s.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'flaky',
          DestinationConfig: { OnFailure: { Destination: QUEUE_ARN('no-such-queue') } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });

  it('puts the original event on the dead-letter queue with RequestID, ErrorCode and ErrorMessage', async () => {
    await createFunction(s.lambda, 'doomed', {
      'index.js': 'exports.handler = async () => { throw new Error("always"); };',
    });
    await s.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'doomed',
        DeadLetterConfig: { TargetArn: QUEUE_ARN('dead-letters') },
      }),
    );
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'doomed', MaximumRetryAttempts: 0 }),
    );
    const sent = await s.lambda.send(
      new InvokeCommand({
        FunctionName: 'doomed',
        InvocationType: 'Event',
        Payload: Buffer.from('{"order":42}'),
      }),
    );
    const message = await receiveOne('dead-letters');
    expect(JSON.parse(message.Body!)).toEqual({ order: 42 });
    expect(message.MessageAttributes?.RequestID?.StringValue).toBe(sent.$metadata.requestId);
    expect(message.MessageAttributes?.ErrorCode?.DataType).toBe('Number');
    expect(message.MessageAttributes?.ErrorMessage?.StringValue).toContain('always');
  });
});
