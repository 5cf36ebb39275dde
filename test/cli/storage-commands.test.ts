import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { s3Client, testBytes } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertCliBuilt, cliFor, runCli } from './harness.js';

let server: TestServer;
let s3: S3Client;
let nimbus: ReturnType<typeof cliFor>;
let dir: string;

beforeAll(async () => {
  assertCliBuilt();
  server = await startTestServer();
  s3 = s3Client(server.url);
  nimbus = cliFor(server.url);
  dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-s3-'));
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nimbus bucket / object', () => {
  it('creates buckets, uploads, lists, downloads and deletes objects', async () => {
    expect((await nimbus('bucket', 'create', 'cli-files')).stdout).toBe('created bucket cli-files\n');
    const listed = await nimbus('bucket', 'list');
    expect(listed.stdout).toMatch(/^NAME\s+CREATED\ncli-files\s+/);
    const data = testBytes(300_000, 3);
    writeFileSync(join(dir, 'photo.jpg'), data);
    const put = await nimbus('object', 'put', join(dir, 'photo.jpg'), 'cli-files/images/');
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(
      /uploaded .*photo\.jpg to cli-files\/images\/photo\.jpg \(ETag "[0-9a-f]{32}"\)/,
    );
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'cli-files', Key: 'images/photo.jpg' }));
    expect(stored.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data)).toBe(true);
    const piped = await runCli(['object', 'put', '-', 'cli-files/notes/a b.txt', '--endpoint', server.url], {
      input: 'from stdin',
    });
    expect(piped.code).toBe(0);

    const top = await nimbus('object', 'list', 'cli-files');
    expect(top.stdout).toMatch(/images\//);
    expect(top.stdout).toMatch(/notes\//);
    const deep = await nimbus('object', 'list', 'cli-files/notes/', '--json');
    expect(JSON.parse(deep.stdout).Contents.map((c: { Key: string }) => c.Key)).toEqual(['notes/a b.txt']);
    const all = await nimbus('object', 'ls', 'cli-files', '--recursive');
    expect(all.stdout).toContain('images/photo.jpg');
    expect(all.stdout).toContain('293 KB');

    const got = await nimbus('object', 'get', 'cli-files/notes/a b.txt');
    expect(got.stdout).toBe('from stdin');
    const file = join(dir, 'back.jpg');
    expect((await nimbus('object', 'get', 'cli-files/images/photo.jpg', file)).code).toBe(0);
    expect(readFileSync(file).equals(data)).toBe(true);

    const notEmpty = await nimbus('bucket', 'delete', 'cli-files');
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toBe('nimbus: BucketNotEmpty: The bucket you tried to delete is not empty\n');
    expect((await nimbus('object', 'rm', 'cli-files/notes/a b.txt')).stdout).toBe(
      'deleted cli-files/notes/a b.txt\n',
    );
    expect((await nimbus('bucket', 'delete', 'cli-files', '--force')).stdout).toBe(
      'deleted bucket cli-files\n',
    );
    expect((await nimbus('bucket', 'list')).stderr).toContain('No buckets yet');
  });

  it('reports S3 errors in one line', async () => {
    const missing = await nimbus('object', 'get', 'no-such-bucket/key');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('nimbus: NoSuchBucket: The specified bucket does not exist\n');
    const bad = await nimbus('bucket', 'create', 'Bad_Name');
    expect(bad.stderr).toBe('nimbus: InvalidBucketName: The specified bucket is not valid.\n');
    const noFile = await nimbus('object', 'put', join(dir, 'nope'), 'x-bucket/k');
    expect(noFile.stderr).toContain('no such file');
  });
});

describe('nimbus trigger', () => {
  it('adds, lists and removes bucket notifications to a function', async () => {
    await createFunction(server.lambda, 'thumbs', { 'index.js': 'exports.handler = async () => 1;' });
    await nimbus('bucket', 'create', 'trig-bucket');
    const add = await nimbus(
      'trigger',
      'add',
      'thumbs',
      '--bucket',
      'trig-bucket',
      '--prefix',
      'in/',
      '--suffix',
      '.png',
      '--id',
      'pngs',
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toBe(
      'thumbs now runs on s3:ObjectCreated:* in trig-bucket under in/ ending in .png\n',
    );
    await nimbus(
      'trigger',
      'add',
      'thumbs',
      '--bucket',
      'trig-bucket',
      '--events',
      'removed',
      '--id',
      'gone',
    );
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'trig-bucket' }));
    expect(config.LambdaFunctionConfigurations).toEqual([
      {
        Id: 'pngs',
        LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:thumbs',
        Events: ['s3:ObjectCreated:*'],
        Filter: {
          Key: {
            FilterRules: [
              { Name: 'Prefix', Value: 'in/' },
              { Name: 'Suffix', Value: '.png' },
            ],
          },
        },
      },
      {
        Id: 'gone',
        LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:thumbs',
        Events: ['s3:ObjectRemoved:*'],
      },
    ]);
    const list = await nimbus('trigger', 'list', 'thumbs');
    expect(list.stdout).toMatch(/ID\s+TYPE\s+SOURCE\s+STATE/);
    expect(list.stdout).toMatch(
      /trig-bucket\/pngs\s+bucket\s+trig-bucket s3:ObjectCreated:\* prefix=in\/ suffix=\.png\s+Enabled/,
    );
    expect(list.stdout).toMatch(/trig-bucket\/gone\s+bucket\s+trig-bucket s3:ObjectRemoved:\*/);
    const missingFn = await nimbus('trigger', 'add', 'no-such-fn', '--bucket', 'trig-bucket');
    expect(missingFn.stderr).toContain('ResourceNotFoundException');
    const removed = await nimbus('trigger', 'delete', 'trig-bucket/gone');
    expect(removed.stdout).toBe('Removed trigger trig-bucket/gone\n');
    await nimbus('trigger', 'delete', 'trig-bucket/pngs');
    expect((await nimbus('trigger', 'list', 'thumbs')).stderr).toContain('No triggers');
    const none = await nimbus('trigger', 'delete', 'trig-bucket/pngs');
    expect(none.code).toBe(2);
  });
});
