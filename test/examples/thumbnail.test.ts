import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import {
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'thumbnail');
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:thumbnail';

/** Runs a command to its end; its stdout and stderr together, for the failure message. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; output: string }>((ok, fail) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, output }));
  });
}

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

  it('deploys with its one documented command, then makes a thumbnail of an upload under uploads/', async () => {
    // `npm run deploy --prefix examples/thumbnail`, exactly as its README says, against this server.
    const deploy = await run('npm', ['run', 'deploy', '--prefix', EXAMPLE], {
      ...process.env,
      NIMBUS_ENDPOINT: server.url,
      BUCKET: 'photos',
    });
    expect(deploy.code, deploy.output).toBe(0);
    const fn = await server.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'thumbnail' }));
    expect(fn).toMatchObject({ State: 'Active', Timeout: 30, MemorySize: 512, Handler: 'index.handler' });
    const notification = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'photos' }));
    expect(notification.LambdaFunctionConfigurations).toMatchObject([
      {
        Id: 'thumbnails',
        LambdaFunctionArn: ARN,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'uploads/' }] } },
      },
    ]);

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
  }, 180_000);
});
