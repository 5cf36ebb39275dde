import {
  CreateFunctionCommand,
  InvokeCommand,
  PublishLayerVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJson } from '../support/functions.js';
import { s3Client } from '../support/s3.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

/** CreateFunction, UpdateFunctionCode and PublishLayerVersion read code from Nimbus's own S3. */
let s: TestServer;
let s3: S3Client;
beforeAll(async () => {
  s = await startTestServer();
  s3 = s3Client(s.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'deployments' }));
  await s3.send(
    new PutObjectCommand({
      Bucket: 'deployments',
      Key: 'fn/v1.zip',
      Body: await makeZip({ 'index.js': 'exports.handler = async () => "from s3 v1";' }),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: 'deployments',
      Key: 'fn/v2.zip',
      Body: await makeZip({ 'index.js': 'exports.handler = async () => "from s3 v2";' }),
    }),
  );
});
afterAll(async () => {
  s3.destroy();
  await s.close();
});

const create = (Code: Record<string, string>) =>
  s.lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'from-s3',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: TEST_ROLE,
      Code,
    }),
  );

describe('code from S3Bucket/S3Key', () => {
  it('creates and updates a function from objects in the store', async () => {
    const created = await create({ S3Bucket: 'deployments', S3Key: 'fn/v1.zip' });
    expect(created.State).toBe('Active');
    expect(decodeJson((await s.lambda.send(new InvokeCommand({ FunctionName: 'from-s3' }))).Payload)).toBe(
      'from s3 v1',
    );
    await s.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'from-s3', S3Bucket: 'deployments', S3Key: 'fn/v2.zip' }),
    );
    expect(decodeJson((await s.lambda.send(new InvokeCommand({ FunctionName: 'from-s3' }))).Payload)).toBe(
      'from s3 v2',
    );
    const layer = await s.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'from-s3',
        Content: { S3Bucket: 'deployments', S3Key: 'fn/v1.zip' },
      }),
    );
    expect(layer.Version).toBe(1);
  });

  it('names the S3 error when the object or bucket is missing', async () => {
    await expect(create({ S3Bucket: 'deployments', S3Key: 'nope.zip' })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message:
        'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.',
    });
    await expect(create({ S3Bucket: 'no-bucket', S3Key: 'x.zip' })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('S3 Error Code: NoSuchBucket'),
    });
  });
});
