import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../support/bundle.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { s3Client } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A handler written for Lambda: `new S3Client({})`, no endpoint, no credentials in code. */
const HANDLER = `
const { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
exports.handler = async (event) => {
  const got = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: event.key }));
  const text = await got.Body.transformToString();
  await s3.send(new PutObjectCommand({ Bucket: event.bucket, Key: 'out/' + event.key, Body: text.toUpperCase(), ContentType: 'text/plain' }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: event.bucket }));
  return { read: text, keys: listed.Contents.map((c) => c.Key), region: await s3.config.region(), endpoint: process.env.AWS_ENDPOINT_URL_S3 };
};`;

describe('functions reach the object store through the AWS SDK unchanged', () => {
  let server: TestServer;
  let s3: S3Client;
  beforeAll(async () => {
    server = await startTestServer();
    s3 = s3Client(server.url);
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
  });

  it('reads and writes objects with new S3Client({}) inside a function', async () => {
    const code = await bundleHandler(HANDLER);
    await createFunction(server.lambda, 'uses-s3', { 'index.js': code }, { Timeout: 30 });
    await s3.send(new CreateBucketCommand({ Bucket: 'fn-data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'fn-data', Key: 'in.txt', Body: 'from the test' }));
    const out = await server.lambda.send(
      new InvokeCommand({
        FunctionName: 'uses-s3',
        Payload: JSON.stringify({ bucket: 'fn-data', key: 'in.txt' }),
      }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(decodeJson(out.Payload)).toEqual({
      read: 'from the test',
      keys: ['in.txt', 'out/in.txt'],
      region: 'us-east-1',
      endpoint: server.url,
    });
    const written = await s3.send(new GetObjectCommand({ Bucket: 'fn-data', Key: 'out/in.txt' }));
    expect(await written.Body?.transformToString()).toBe('FROM THE TEST');
    expect(written.ContentType).toBe('text/plain');
  });
});
