import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installInvoker, RecordingInvoker } from '../support/async-invoker.js';
import { createFunction } from '../support/functions.js';
import { errorCode, rawRequest } from '../support/raw-http.js';
import { s3Client } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:on-upload';
const HANDLER = { 'index.js': 'exports.handler = async () => "ok";' };

describe('bucket notifications', () => {
  let server: TestServer;
  let s3: S3Client;
  const invoker = new RecordingInvoker();

  beforeAll(async () => {
    server = await startTestServer({}, { extraFeatures: [installInvoker(invoker)] });
    s3 = s3Client(server.url);
    await createFunction(server.lambda, 'on-upload', HANDLER);
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
  });

  it('stores a configuration and returns it as S3 does', async () => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'uploads',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Id: 'images',
              LambdaFunctionArn: ARN,
              Events: ['s3:ObjectCreated:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'images/' },
                    { Name: 'suffix', Value: '.jpg' },
                  ],
                },
              },
            },
            { Id: 'removals', LambdaFunctionArn: ARN, Events: ['s3:ObjectRemoved:*'] },
          ],
        },
      }),
    );
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'uploads' }));
    expect(got.LambdaFunctionConfigurations).toEqual([
      {
        Id: 'images',
        LambdaFunctionArn: ARN,
        Events: ['s3:ObjectCreated:*'],
        Filter: {
          Key: {
            FilterRules: [
              { Name: 'Prefix', Value: 'images/' },
              { Name: 'Suffix', Value: '.jpg' },
            ],
          },
        },
      },
      { Id: 'removals', LambdaFunctionArn: ARN, Events: ['s3:ObjectRemoved:*'] },
    ]);
  });

  it('sends the exact S3 event record for a matching upload, and nothing for others', async () => {
    const before = invoker.received.length;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'images/red flower (1).jpg', Body: 'jpeg bytes' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'images/icon.png', Body: 'png' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'docs/a.jpg', Body: 'elsewhere' }));
    await invoker.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(invoker.received).toHaveLength(before + 1);
    const sent = invoker.received[before]!;
    expect(sent.functionArn).toBe(ARN);
    expect(sent.source).toBe('aws:s3');
    const event = JSON.parse(sent.payload.toString());
    expect(Object.keys(event)).toEqual(['Records']);
    const record = event.Records[0];
    expect(Object.keys(record)).toEqual([
      'eventVersion',
      'eventSource',
      'awsRegion',
      'eventTime',
      'eventName',
      'userIdentity',
      'requestParameters',
      'responseElements',
      's3',
    ]);
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:test' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': put.$metadata.requestId,
        'x-amz-id-2': put.$metadata.extendedRequestId,
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'images',
        bucket: { name: 'uploads', arn: 'arn:aws:s3:::uploads' },
        object: { key: 'images/red+flower+%281%29.jpg', size: 10, eTag: put.ETag!.replace(/"/g, '') },
      },
    });
    expect(record.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record.s3.bucket.ownerIdentity.principalId).toMatch(/^[0-9A-F]+$/);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
  });

  it('names copies, multipart completions and removals, in sequencer order', async () => {
    const before = invoker.received.length;
    await s3.send(
      new CopyObjectCommand({ Bucket: 'uploads', Key: 'images/copy.jpg', CopySource: 'uploads/docs/a.jpg' }),
    );
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'images/mp.jpg' }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'uploads', Key: 'images/mp.jpg', UploadId, PartNumber: 1, Body: 'mp' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'uploads',
        Key: 'images/mp.jpg',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'images/mp.jpg', Body: 'again' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'images/mp.jpg' }));
    await invoker.waitFor(before + 4);
    const records = invoker
      .events()
      .slice(before)
      .map((e) => e.Records[0]!);
    expect(records.map((r) => r.eventName)).toEqual([
      'ObjectCreated:Copy',
      'ObjectCreated:CompleteMultipartUpload',
      'ObjectCreated:Put',
      'ObjectRemoved:Delete',
    ]);
    expect(records[1]!.s3.object.eTag).toMatch(/^[0-9a-f]{32}-1$/);
    const removal = records[3]!;
    expect(removal.s3.configurationId).toBe('removals');
    expect(removal.s3.object).toEqual({ key: 'images/mp.jpg', sequencer: removal.s3.object.sequencer });
    const seqs = records.slice(1).map((r) => String(r.s3.object.sequencer));
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('refuses configurations S3 refuses, and changes nothing', async () => {
    const put = (LambdaFunctionConfigurations: object[]) =>
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'uploads',
          NotificationConfiguration: { LambdaFunctionConfigurations: LambdaFunctionConfigurations as never },
        }),
      );
    const missing = 'arn:aws:lambda:us-east-1:000000000000:function:no-such-function';
    await expect(put([{ LambdaFunctionArn: missing, Events: ['s3:ObjectCreated:*'] }])).rejects.toMatchObject(
      {
        name: 'InvalidArgument',
        message: 'Unable to validate the following destination configurations',
        $metadata: { httpStatusCode: 400 },
      },
    );
    await expect(put([{ LambdaFunctionArn: ARN, Events: ['s3:ObjectExploded:*'] }])).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    await expect(
      put([
        {
          LambdaFunctionArn: ARN,
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }] } },
        },
        {
          LambdaFunctionArn: ARN,
          Events: ['s3:ObjectCreated:Put'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/b' }] } },
        },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidArgument', message: expect.stringContaining('overlapping') });
    await expect(
      put([
        {
          LambdaFunctionArn: ARN,
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'middle', Value: 'x' }] } },
        },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
    const raw = await rawRequest(
      server.url,
      'PUT',
      '/uploads?notification',
      {},
      '<NotificationConfiguration><Lambda',
    );
    expect(errorCode(raw.body)).toBe('MalformedXML');
    const queue = await rawRequest(
      server.url,
      'PUT',
      '/uploads?notification',
      {},
      '<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>',
    );
    expect(errorCode(queue.body)).toBe('InvalidArgument');
    const missingBody = await rawRequest(
      server.url,
      'PUT',
      '/no-bucket-here?notification',
      {},
      '<NotificationConfiguration/>',
    );
    expect(errorCode(missingBody.body)).toBe('NoSuchBucket');
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'uploads' }));
    expect(got.LambdaFunctionConfigurations?.map((c) => c.Id)).toEqual(['images', 'removals']);
  });

  it('an empty configuration turns notifications off', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'quiet' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'quiet',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [{ LambdaFunctionArn: ARN, Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    );
    const generated = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'quiet' }));
    expect(generated.LambdaFunctionConfigurations?.[0]?.Id).toMatch(/^[0-9a-f-]{36}$/);
    await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'quiet', NotificationConfiguration: {} }),
    );
    const before = invoker.received.length;
    await s3.send(new PutObjectCommand({ Bucket: 'quiet', Key: 'k', Body: 'x' }));
    await new Promise((r) => setTimeout(r, 150));
    expect(invoker.received).toHaveLength(before);
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'quiet' }));
    expect(got.LambdaFunctionConfigurations).toBeUndefined();
  });
});

describe('the notification outbox', () => {
  it('keeps events committed with their objects until the async path takes them, across restarts and failures', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-outbox-'));
    try {
      // No async invoke path installed: events wait.
      const first = await startTestServer({}, { dataDir });
      const s3a = s3Client(first.url);
      await createFunction(first.lambda, 'on-upload', HANDLER);
      await s3a.send(new CreateBucketCommand({ Bucket: 'later' }));
      await s3a.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'later',
          NotificationConfiguration: {
            LambdaFunctionConfigurations: [{ LambdaFunctionArn: ARN, Events: ['s3:ObjectCreated:*'] }],
          },
        }),
      );
      await s3a.send(new PutObjectCommand({ Bucket: 'later', Key: 'one', Body: '1' }));
      await s3a.send(new PutObjectCommand({ Bucket: 'later', Key: 'two', Body: '2' }));
      s3a.destroy();
      await first.close();

      const invoker = new RecordingInvoker();
      invoker.failuresLeft = 1;
      const second = await startTestServer({}, { dataDir, extraFeatures: [installInvoker(invoker)] });
      try {
        // The first hand-over fails; the dispatcher retries after its backoff.
        await invoker.waitFor(2, 15_000);
        const keys = invoker.events().map((e) => e.Records[0]!.s3.object.key);
        expect(keys).toEqual(['one', 'two']);
      } finally {
        await second.close();
      }
      // Delivered events are gone from the outbox: a third start delivers nothing again.
      const again = new RecordingInvoker();
      const third = await startTestServer({}, { dataDir, extraFeatures: [installInvoker(again)] });
      await new Promise((r) => setTimeout(r, 200));
      expect(again.received).toEqual([]);
      await third.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
