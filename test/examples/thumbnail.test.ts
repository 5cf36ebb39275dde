import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../support/bundle.js';
import { nodeModulesFiles } from '../support/node-modules.js';
import { s3Client } from '../support/s3.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'thumbnail');
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:thumbnail';

describe('examples/thumbnail', () => {
  let server: TestServer;
  let s3: S3Client;

  beforeAll(async () => {
    // Notifications go through the durable async path; scaled delays keep any retry short.
    server = await startTestServer({ asyncDelayScale: 0.01 });
    s3 = s3Client(server.url);
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
  });

  async function waitForObject(Key: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await s3.send(new GetObjectCommand({ Bucket: 'photos', Key }));
      } catch (e) {
        if ((e as { name?: string }).name !== 'NoSuchKey' || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  it('makes a thumbnail when an image is uploaded under uploads/, from the S3 event', async () => {
    // The example's own code, with its dependencies as `npm install` would lay them out.
    const handler = await bundleHandler(readFileSync(resolve(EXAMPLE, 'index.js'), 'utf8'), ['sharp']);
    const zip = await makeZip({ 'index.js': handler, ...nodeModulesFiles(['sharp']) });
    await server.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'thumbnail',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: TEST_ROLE,
        Timeout: 30,
        MemorySize: 512,
        Code: { ZipFile: zip },
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'photos',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Id: 'thumbnails',
              LambdaFunctionArn: ARN,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
            },
          ],
        },
      }),
    );

    const image = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'uploads/holiday pic.png',
        Body: image,
        ContentType: 'image/png',
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'elsewhere/skip.png', Body: image }));

    const thumb = await waitForObject('thumbnails/holiday pic.png');
    expect(thumb.ContentType).toBe('image/png');
    expect(thumb.Metadata).toEqual({ source: 'uploads/holiday pic.png', width: '200', height: '150' });
    const meta = await sharp(Buffer.from(await thumb.Body!.transformToByteArray())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 200, 150]);

    // The event the function received, from its log: the S3 record shape.
    const logs = await fetch(`${server.url}/nimbus/v1/functions/thumbnail/logs?filter=Received%20event`);
    const { events } = (await logs.json()) as { events: { message: string }[] };
    expect(events).toHaveLength(1);
    const received = JSON.parse(events[0]!.message.slice(events[0]!.message.indexOf('{')));
    expect(received.Records).toHaveLength(1);
    expect(received.Records[0]).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'thumbnails',
        bucket: { name: 'photos', arn: 'arn:aws:s3:::photos' },
        object: { key: 'uploads/holiday+pic.png', size: image.length, eTag: put.ETag!.replace(/"/g, '') },
      },
    });
    // Nothing for uploads elsewhere, and the thumbnail itself (outside uploads/) triggers nothing.
    await new Promise((r) => setTimeout(r, 300));
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'thumbnails/skip.png' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    const again = await fetch(`${server.url}/nimbus/v1/functions/thumbnail/logs?filter=Received%20event`);
    expect(((await again.json()) as { events: unknown[] }).events).toHaveLength(1);
  }, 60_000);
});
