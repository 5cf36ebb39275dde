import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, rawRequest, truncatedUpload } from '../support/raw-http.js';
import { s3Client, testBytes } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let s3: S3Client;
const b64md5 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');

beforeAll(async () => {
  server = await startTestServer();
  s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'bad' }));
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: 'bad', Key: key }));
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFound') return false;
    throw e;
  }
}

const text = async (key: string) =>
  Buffer.from(
    (await (await s3.send(new GetObjectCommand({ Bucket: 'bad', Key: key }))).Body?.transformToByteArray()) ??
      [],
  ).toString();

/** Neither temp files nor blob files that no object references are left in the data dir. */
function objectFiles(): { tmp: string[]; blobs: string[] } {
  const root = join(server.dataDir, 'objects');
  const blobs = readdirSync(join(root, 'blobs')).flatMap((d) => readdirSync(join(root, 'blobs', d)));
  return { tmp: readdirSync(join(root, 'tmp')), blobs };
}

describe('bucket names and keys', () => {
  it('refuses invalid bucket names with InvalidBucketName and creates nothing', async () => {
    const names = [
      'ab',
      'UPPER',
      'under_score',
      '-start',
      'end-',
      'a..b',
      '192.168.1.1',
      'xn--punycode',
      'x'.repeat(64),
    ];
    for (const name of names) {
      const res = await rawRequest(server.url, 'PUT', `/${name}`);
      expect(res.status, name).toBe(400);
      expect(errorCode(res.body), name).toBe('InvalidBucketName');
      expect(res.body).toContain(`<BucketName>${name}</BucketName>`);
    }
    const list = await rawRequest(server.url, 'GET', '/');
    for (const name of names) expect(list.body).not.toContain(`<Name>${name}</Name>`);
  });

  it('refuses keys over 1024 bytes with KeyTooLongError', async () => {
    const key = 'k'.repeat(1025);
    await expect(s3.send(new PutObjectCommand({ Bucket: 'bad', Key: key, Body: 'x' }))).rejects.toMatchObject(
      {
        name: 'KeyTooLongError',
        $metadata: { httpStatusCode: 400 },
      },
    );
    // Multi-byte characters count as bytes: 342 × 3 bytes = 1026.
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'bad', Key: '€'.repeat(342), Body: 'x' })),
    ).rejects.toMatchObject({ name: 'KeyTooLongError' });
    await s3.send(new PutObjectCommand({ Bucket: 'bad', Key: 'k'.repeat(1024), Body: 'x' }));
    expect(await exists(key)).toBe(false);
  });

  it('answers NoSuchBucket and NoSuchKey with S3 error documents', async () => {
    const missing = await rawRequest(server.url, 'GET', '/no-such-bucket/key');
    expect(missing.status).toBe(404);
    expect(errorCode(missing.body)).toBe('NoSuchBucket');
    expect(missing.body).toMatch(/<BucketName>no-such-bucket<\/BucketName>/);
    expect(missing.body).toMatch(/<RequestId>[0-9A-F]{16}<\/RequestId>/);
    expect(missing.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'bad', Key: 'nothing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      Key: 'nothing',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: testBytes(100_000) })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    // HEAD errors carry no body.
    const head = await rawRequest(server.url, 'HEAD', '/bad/nothing');
    expect(head.status).toBe(404);
    expect(head.body).toBe('');
  });

  it('refuses to delete a bucket that is not empty, and re-creating one outside us-east-1', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
    await s3.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'k', Body: 'x' }));
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
      $metadata: { httpStatusCode: 409 },
    });
    const eu = await startTestServer({ region: 'eu-west-1' });
    const client = s3Client(eu.url, { region: 'eu-west-1' });
    try {
      await client.send(
        new CreateBucketCommand({
          Bucket: 'mine',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      );
      await expect(
        client.send(
          new CreateBucketCommand({
            Bucket: 'mine',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
      ).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou', $metadata: { httpStatusCode: 409 } });
      // The SDK fills in the constraint for its region; a bare PUT has none.
      const bare = await rawRequest(eu.url, 'PUT', '/other');
      expect(errorCode(bare.body)).toBe('IllegalLocationConstraintException');
      expect((await rawRequest(eu.url, 'HEAD', '/other')).status).toBe(404);
    } finally {
      client.destroy();
      await eu.close();
    }
  });
});

describe('ranges and methods', () => {
  it('answers unsatisfiable ranges with 416 InvalidRange', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bad', Key: 'ten', Body: '0123456789' }));
    for (const range of ['bytes=10-', 'bytes=20-30', 'bytes=-0']) {
      const res = await rawRequest(server.url, 'GET', '/bad/ten', { range });
      expect(res.status, range).toBe(416);
      expect(errorCode(res.body)).toBe('InvalidRange');
      expect(res.headers['content-range']).toBe('bytes */10');
      expect(res.body).toContain('<ActualObjectSize>10</ActualObjectSize>');
    }
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'bad', Key: 'ten', Range: 'bytes=11-12' })),
    ).rejects.toMatchObject({
      name: 'InvalidRange',
    });
  });

  it('answers methods a resource does not have with 405, and unimplemented sub-resources with 501', async () => {
    const post = await rawRequest(server.url, 'POST', '/bad/ten', {}, 'x');
    expect(post.status).toBe(405);
    expect(errorCode(post.body)).toBe('MethodNotAllowed');
    expect(post.body).toContain('<Method>POST</Method>');
    const patch = await rawRequest(server.url, 'PATCH', '/bad');
    expect(errorCode(patch.body)).toBe('MethodNotAllowed');
    const acl = await rawRequest(server.url, 'PUT', '/bad/ten?acl', {}, '<AccessControlPolicy/>');
    expect(acl.status).toBe(501);
    expect(errorCode(acl.body)).toBe('NotImplemented');
    expect(await text('ten')).toBe('0123456789');
  });
});

describe('digests and truncated bodies', () => {
  it('refuses a wrong Content-MD5 with BadDigest and keeps the previous object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bad', Key: 'kept', Body: 'original' }));
    const before = objectFiles().blobs.length;
    const res = await rawRequest(
      server.url,
      'PUT',
      '/bad/kept',
      { 'content-md5': b64md5('other') },
      'replacement',
    );
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('BadDigest');
    expect(await text('kept')).toBe('original');
    const fresh = await rawRequest(server.url, 'PUT', '/bad/never', { 'content-md5': b64md5('a') }, 'b');
    expect(errorCode(fresh.body)).toBe('BadDigest');
    expect(await exists('never')).toBe(false);
    const invalid = await rawRequest(server.url, 'PUT', '/bad/never', { 'content-md5': 'not-a-digest' }, 'b');
    expect(errorCode(invalid.body)).toBe('InvalidDigest');
    expect(objectFiles().blobs.length).toBe(before);
    expect(objectFiles().tmp).toEqual([]);
  });

  it('refuses a wrong or malformed x-amz-checksum and a wrong x-amz-content-sha256', async () => {
    const wrong = await rawRequest(
      server.url,
      'PUT',
      '/bad/sum',
      { 'x-amz-checksum-crc32': 'AAAAAA==' },
      'data',
    );
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong.body)).toBe('BadDigest');
    expect(wrong.body).toContain('The CRC32 you specified did not match the calculated checksum.');
    const malformed = await rawRequest(
      server.url,
      'PUT',
      '/bad/sum',
      { 'x-amz-checksum-sha256': 'short' },
      'data',
    );
    expect(errorCode(malformed.body)).toBe('InvalidRequest');
    const sha = await rawRequest(
      server.url,
      'PUT',
      '/bad/sum',
      { 'x-amz-content-sha256': 'a'.repeat(64) },
      'data',
    );
    expect(errorCode(sha.body)).toBe('XAmzContentSHA256Mismatch');
    expect(await exists('sum')).toBe(false);
  });

  it('leaves nothing behind when the client dies mid-upload', async () => {
    await truncatedUpload(server.url, '/bad/truncated', 1_000_000, testBytes(300_000));
    const deadline = Date.now() + 5000;
    while (objectFiles().tmp.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(objectFiles().tmp).toEqual([]);
    expect(await exists('truncated')).toBe(false);
  });

  it('refuses aws-chunked bodies shorter than x-amz-decoded-content-length with IncompleteBody', async () => {
    const headers = {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': 10,
    };
    const short = await rawRequest(server.url, 'PUT', '/bad/chunked', headers, '5\r\nhello\r\n0\r\n\r\n');
    expect(short.status).toBe(400);
    expect(errorCode(short.body)).toBe('IncompleteBody');
    // The final zero-length chunk never came.
    const cut = await rawRequest(
      server.url,
      'PUT',
      '/bad/chunked',
      { ...headers, 'x-amz-decoded-content-length': 5 },
      '5\r\nhello\r\n',
    );
    expect(errorCode(cut.body)).toBe('IncompleteBody');
    const garbage = await rawRequest(
      server.url,
      'PUT',
      '/bad/chunked',
      { ...headers, 'x-amz-decoded-content-length': 5 },
      'zz\r\nhello\r\n0\r\n\r\n',
    );
    expect(errorCode(garbage.body)).toBe('InvalidRequest');
    const badTrailer = await rawRequest(
      server.url,
      'PUT',
      '/bad/chunked',
      { ...headers, 'x-amz-decoded-content-length': 5, 'x-amz-trailer': 'x-amz-checksum-crc32' },
      '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
    );
    expect(errorCode(badTrailer.body)).toBe('BadDigest');
    expect(await exists('chunked')).toBe(false);
  });

  it('requires a Content-Length', async () => {
    const res = await rawRequest(
      server.url,
      'PUT',
      '/bad/nolength',
      { 'transfer-encoding': 'chunked' },
      'abc',
    );
    expect(res.status).toBe(411);
    expect(errorCode(res.body)).toBe('MissingContentLength');
  });

  it('refuses user metadata over 2 KB', async () => {
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: 'bad', Key: 'meta', Body: 'x', Metadata: { big: 'v'.repeat(2100) } }),
      ),
    ).rejects.toMatchObject({ name: 'MetadataTooLarge' });
  });
});

describe('multipart and XML bodies', () => {
  async function upload(key: string, sizes: number[]) {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bad', Key: key }));
    const parts = [];
    for (const [i, size] of sizes.entries()) {
      const r = await s3.send(
        new UploadPartCommand({
          Bucket: 'bad',
          Key: key,
          UploadId,
          PartNumber: i + 1,
          Body: testBytes(size, i + 1),
        }),
      );
      parts.push({ PartNumber: i + 1, ETag: r.ETag! });
    }
    return { UploadId: UploadId!, parts };
  }
  const complete = (key: string, UploadId: string, Parts: { PartNumber: number; ETag: string }[]) =>
    s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'bad', Key: key, UploadId, MultipartUpload: { Parts } }),
    );

  it('refuses parts out of order, too small, unknown or with the wrong ETag, and keeps the upload', async () => {
    const mb5 = 5 * 1024 * 1024;
    const { UploadId, parts } = await upload('mp', [mb5, 1000, 10]);
    await expect(complete('mp', UploadId, [parts[1]!, parts[0]!])).rejects.toMatchObject({
      name: 'InvalidPartOrder',
    });
    await expect(complete('mp', UploadId, [parts[0]!, parts[1]!, parts[2]!])).rejects.toMatchObject({
      name: 'EntityTooSmall',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(complete('mp', UploadId, [{ PartNumber: 1, ETag: '"0000"' }])).rejects.toMatchObject({
      name: 'InvalidPart',
    });
    await expect(
      complete('mp', UploadId, [parts[0]!, { PartNumber: 9, ETag: parts[1]!.ETag }]),
    ).rejects.toMatchObject({
      name: 'InvalidPart',
    });
    expect(await exists('mp')).toBe(false);
    // The upload is intact: the valid subset completes.
    await complete('mp', UploadId, [parts[0]!, parts[1]!]);
    expect(await exists('mp')).toBe(true);
  });

  it('refuses bad part numbers and unknown upload ids', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bad', Key: 'pn' }));
    for (const n of [0, 10001]) {
      const res = await rawRequest(
        server.url,
        'PUT',
        `/bad/pn?partNumber=${n}&uploadId=${UploadId}`,
        {},
        'x',
      );
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('InvalidArgument');
    }
    await expect(
      s3.send(
        new UploadPartCommand({ Bucket: 'bad', Key: 'pn', UploadId: 'nope', PartNumber: 1, Body: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    // An upload id is bound to its key.
    await expect(
      s3.send(new UploadPartCommand({ Bucket: 'bad', Key: 'other', UploadId, PartNumber: 1, Body: 'x' })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('answers malformed XML with MalformedXML', async () => {
    const { UploadId } = await upload('xml', [10]);
    for (const body of [
      '<CompleteMultipartUpload><Part>',
      'not xml',
      '<Other/>',
      '<CompleteMultipartUpload/>',
    ]) {
      const res = await rawRequest(server.url, 'POST', `/bad/xml?uploadId=${UploadId}`, {}, body);
      expect(res.status, body).toBe(400);
      expect(errorCode(res.body), body).toBe('MalformedXML');
    }
    const del = '<Delete><Object><Key>a</Key></Object>';
    const res = await rawRequest(server.url, 'POST', '/bad?delete', { 'content-md5': b64md5(del) }, del);
    expect(errorCode(res.body)).toBe('MalformedXML');
    const noMd5 = '<Delete><Object><Key>ten</Key></Object></Delete>';
    const missing = await rawRequest(server.url, 'POST', '/bad?delete', {}, noMd5);
    expect(errorCode(missing.body)).toBe('InvalidRequest');
    const wrong = await rawRequest(server.url, 'POST', '/bad?delete', { 'content-md5': b64md5('x') }, noMd5);
    expect(errorCode(wrong.body)).toBe('BadDigest');
    expect(await text('ten')).toBe('0123456789');
    const loc = await rawRequest(server.url, 'PUT', '/new-bucket-xml', {}, '<CreateBucketConfiguration>');
    expect(errorCode(loc.body)).toBe('MalformedXML');
    expect((await rawRequest(server.url, 'HEAD', '/new-bucket-xml')).status).toBe(404);
  });
});
