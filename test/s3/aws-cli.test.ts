import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { createFunction } from '../support/functions.js';
import { testBytes } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let aws: AwsCli | undefined;
let dir: string;
/** Each `aws` run starts Python (1-3 s on a loaded 2-core machine); these tests make ~20 of them. */
const CLI_TEST_TIMEOUT_MS = 180_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = await startTestServer();
  aws = awsCli(server.url);
  dir = mkdtempSync(join(tmpdir(), 'nimbus-s3-cli-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<string> {
  const r = await aws!(args);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe('AWS CLI v2: aws s3', () => {
  it.skipIf(!awsCli('http://127.0.0.1:1'))(
    'mb, cp (20 MB multipart both ways), ls, sync, rm, rb',
    async () => {
      expect(await ok(['s3', 'mb', 's3://cli-bucket'])).toContain('make_bucket: cli-bucket');
      const big = testBytes(20 * 1024 * 1024 + 7, 5);
      writeFileSync(join(dir, 'big.bin'), big);
      await ok(['s3', 'cp', join(dir, 'big.bin'), 's3://cli-bucket/data/big.bin']);
      const head = JSON.parse(
        await ok(['s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'data/big.bin']),
      );
      expect(head.ContentLength).toBe(big.length);
      // `aws s3 cp` switches to multipart above 8 MB: an S3 multipart ETag.
      expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
      await ok(['s3', 'cp', 's3://cli-bucket/data/big.bin', join(dir, 'big.back')]);
      expect(sha(readFileSync(join(dir, 'big.back')))).toBe(sha(big));
      // Server-side copy of a large object (UploadPartCopy).
      await ok(['s3', 'cp', 's3://cli-bucket/data/big.bin', 's3://cli-bucket/copy/big.bin']);
      await ok(['s3', 'cp', 's3://cli-bucket/copy/big.bin', join(dir, 'big.copy')]);
      expect(sha(readFileSync(join(dir, 'big.copy')))).toBe(sha(big));

      const src = join(dir, 'tree');
      mkdirSync(join(src, 'sub'), { recursive: true });
      writeFileSync(join(src, 'a.txt'), 'alpha');
      writeFileSync(join(src, 'sub', 'b c.txt'), 'beta');
      writeFileSync(join(src, 'sub', 'd+e.txt'), 'delta');
      // S3 keeps LastModified to the second, and `aws s3 sync` re-uploads a file whose local mtime
      // is later than that (as against AWS): files written in the second of their upload would be
      // sent again. Give them an older mtime, as files being synced usually have.
      const past = new Date(Date.now() - 3_600_000);
      for (const f of ['a.txt', 'sub/b c.txt', 'sub/d+e.txt']) utimesSync(join(src, f), past, past);
      const synced = await ok(['s3', 'sync', src, 's3://cli-bucket/tree']);
      expect(synced.match(/upload:/g)).toHaveLength(3);
      // A second sync has nothing to do.
      expect(await ok(['s3', 'sync', src, 's3://cli-bucket/tree'])).toBe('');
      const ls = await ok(['s3', 'ls', 's3://cli-bucket/tree/']);
      expect(ls).toContain('PRE sub/');
      expect(ls).toMatch(/\s5 a\.txt/);
      const recursive = await ok(['s3', 'ls', '--recursive', 's3://cli-bucket/tree/']);
      expect(recursive).toContain('tree/sub/b c.txt');
      expect(recursive).toContain('tree/sub/d+e.txt');
      const down = join(dir, 'down');
      await ok(['s3', 'sync', 's3://cli-bucket/tree', down]);
      expect(readFileSync(join(down, 'sub', 'b c.txt'), 'utf8')).toBe('beta');
      expect(readFileSync(join(down, 'sub', 'd+e.txt'), 'utf8')).toBe('delta');
      expect(await ok(['s3', 'ls'])).toContain('cli-bucket');

      const rb = await aws!(['s3', 'rb', 's3://cli-bucket']);
      expect(rb.code).not.toBe(0);
      expect(rb.stderr).toContain('BucketNotEmpty');
      const rm = await ok(['s3', 'rm', '--recursive', 's3://cli-bucket/']);
      expect(rm.match(/delete:/g)).toHaveLength(5);
      expect(await ok(['s3', 'rb', 's3://cli-bucket'])).toContain('remove_bucket: cli-bucket');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('AWS CLI v2: aws s3api', () => {
  it.skipIf(!awsCli('http://127.0.0.1:1'))(
    'puts, gets, lists, copies and deletes with S3 shapes and errors',
    async () => {
      await ok(['s3api', 'create-bucket', '--bucket', 'api-bucket']);
      writeFileSync(join(dir, 'small.txt'), 'small body');
      const put = JSON.parse(
        await ok([
          's3api',
          'put-object',
          '--bucket',
          'api-bucket',
          '--key',
          'k/1.txt',
          '--body',
          join(dir, 'small.txt'),
          '--content-type',
          'text/plain',
          '--metadata',
          'owner=cli',
        ]),
      );
      expect(put.ETag).toBe(`"${createHash('md5').update('small body').digest('hex')}"`);
      const got = JSON.parse(
        await ok([
          's3api',
          'get-object',
          '--bucket',
          'api-bucket',
          '--key',
          'k/1.txt',
          '--range',
          'bytes=0-4',
          join(dir, 'got.txt'),
        ]),
      );
      expect(got.ContentRange).toBe('bytes 0-4/10');
      expect(got.Metadata).toEqual({ owner: 'cli' });
      expect(readFileSync(join(dir, 'got.txt'), 'utf8')).toBe('small');
      await ok([
        's3api',
        'copy-object',
        '--bucket',
        'api-bucket',
        '--key',
        'k/2.txt',
        '--copy-source',
        'api-bucket/k/1.txt',
      ]);
      const list = JSON.parse(
        await ok(['s3api', 'list-objects-v2', '--bucket', 'api-bucket', '--prefix', 'k/']),
      );
      expect(list.Contents.map((c: { Key: string }) => c.Key)).toEqual(['k/1.txt', 'k/2.txt']);
      const del = JSON.parse(
        await ok([
          's3api',
          'delete-objects',
          '--bucket',
          'api-bucket',
          '--delete',
          '{"Objects":[{"Key":"k/1.txt"},{"Key":"k/2.txt"}]}',
        ]),
      );
      expect(del.Deleted).toHaveLength(2);
      const missing = await aws!([
        's3api',
        'get-object',
        '--bucket',
        'api-bucket',
        '--key',
        'k/1.txt',
        join(dir, 'x'),
      ]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('NoSuchKey');
      // Bucket notifications to a function, in the CLI's JSON shape.
      await createFunction(server.lambda, 'cli-target', { 'index.js': 'exports.handler = async () => 1;' });
      const arn = 'arn:aws:lambda:us-east-1:000000000000:function:cli-target';
      await ok([
        's3api',
        'put-bucket-notification-configuration',
        '--bucket',
        'api-bucket',
        '--notification-configuration',
        JSON.stringify({
          LambdaFunctionConfigurations: [
            {
              Id: 'csv',
              LambdaFunctionArn: arn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }] } },
            },
          ],
        }),
      ]);
      const config = JSON.parse(
        await ok(['s3api', 'get-bucket-notification-configuration', '--bucket', 'api-bucket']),
      );
      expect(config.LambdaFunctionConfigurations).toEqual([
        {
          Id: 'csv',
          LambdaFunctionArn: arn,
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'Suffix', Value: '.csv' }] } },
        },
      ]);
      const refused = await aws!([
        's3api',
        'put-bucket-notification-configuration',
        '--bucket',
        'api-bucket',
        '--notification-configuration',
        JSON.stringify({
          LambdaFunctionConfigurations: [
            { LambdaFunctionArn: `${arn}-missing`, Events: ['s3:ObjectCreated:*'] },
          ],
        }),
      ]);
      expect(refused.stderr).toContain('InvalidArgument');
      expect(refused.stderr).toContain('Unable to validate the following destination configurations');
      const badName = await aws!(['s3api', 'create-bucket', '--bucket', 'Bad_Name']);
      expect(badName.stderr).toMatch(/InvalidBucketName|Invalid bucket name/);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
