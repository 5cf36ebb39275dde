import { PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { s3Client } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { sqsClient } from '../support/sqs.js';

/**
 * The failure path of a bucket notification, end to end through the real async queue (no fake
 * invoker): an upload's event runs a function that always throws, is retried as Lambda retries
 * asynchronous events (delays scaled by the server setting), and its invocation record, carrying
 * the S3 event as `requestPayload`, lands on the OnFailure queue.
 */
const ACCOUNT = '000000000000';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ingest`;
/** 0.001: Lambda's 1 and 2 minutes between attempts become 60 and 120 ms. */
const SCALE = 0.001;

let s: TestServer;
let s3: S3Client;
let sqs: SQSClient;
let failuresUrl: string;

beforeAll(async () => {
  s = await startTestServer({ asyncDelayScale: SCALE });
  s3 = s3Client(s.url);
  sqs = sqsClient(s.url);
  failuresUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ingest-failures' }))).QueueUrl!;
  await createFunction(s.lambda, 'ingest', {
    'index.js': `exports.handler = async (event) => {
  const e = new Error('cannot ingest ' + event.Records[0].s3.object.key); e.name = 'IngestError'; throw e;
};`,
  });
  await s.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'ingest',
      DestinationConfig: { OnFailure: { Destination: `arn:aws:sqs:us-east-1:${ACCOUNT}:ingest-failures` } },
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'drop-zone' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'drop-zone',
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Id: 'ingest-all', LambdaFunctionArn: FUNCTION_ARN, Events: ['s3:ObjectCreated:*'] },
        ],
      },
    }),
  );
});
afterAll(async () => {
  s3?.destroy();
  sqs?.destroy();
  await s?.close();
});

async function receiveOne(QueueUrl: string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }));
    if (r.Messages?.length) return r.Messages[0]!;
  }
  throw new Error('no invocation record arrived on the OnFailure queue');
}

describe('an S3 notification whose function always fails', () => {
  it('is retried, then its invocation record with the S3 event reaches the OnFailure queue', async () => {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'drop-zone', Key: 'reports/q3 (final).csv', Body: 'a,b\n1,2\n' }),
    );
    const record = JSON.parse((await receiveOne(failuresUrl)).Body!);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        functionArn: `${FUNCTION_ARN}:$LATEST`,
        condition: 'RetriesExhausted',
        // The default MaximumRetryAttempts (2): three attempts in all.
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'IngestError', errorMessage: 'cannot ingest reports/q3+%28final%29.csv' },
    });
    expect(record.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // requestPayload is the S3 event the upload produced, exactly as the function received it.
    const payload = record.requestPayload;
    expect(Object.keys(payload)).toEqual(['Records']);
    expect(payload.Records).toHaveLength(1);
    expect(payload.Records[0]).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      responseElements: { 'x-amz-request-id': put.$metadata.requestId },
      s3: {
        configurationId: 'ingest-all',
        bucket: { name: 'drop-zone', arn: 'arn:aws:s3:::drop-zone' },
        object: { key: 'reports/q3+%28final%29.csv', size: 8, eTag: put.ETag!.replace(/"/g, '') },
      },
    });
    // The retries waited their (scaled) 1 and 2 minutes between upload and the final record.
    const elapsed = Date.parse(record.timestamp) - Date.parse(payload.Records[0].eventTime);
    expect(elapsed).toBeGreaterThanOrEqual((60 + 120) * 1000 * SCALE);
    const events = (await (
      await fetch(`${s.url}/nimbus/v1/functions/ingest/events?state=failed`)
    ).json()) as {
      events: { requestId: string; attempts: number; condition: string }[];
    };
    expect(events.events).toEqual([
      expect.objectContaining({
        requestId: record.requestContext.requestId,
        attempts: 3,
        condition: 'RetriesExhausted',
      }),
    ]);
  });
});
