import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client, testBytes } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let s3: S3Client;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  server = await startTestServer();
  s3 = s3Client(server.url);
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

async function bodyOf(out: { Body?: unknown }): Promise<Buffer> {
  const body = out.Body as { transformToByteArray(): Promise<Uint8Array> } | undefined;
  return Buffer.from((await body?.transformToByteArray()) ?? []);
}

describe('buckets', () => {
  it('creates, heads, lists, locates and deletes a bucket', async () => {
    const created = await s3.send(new CreateBucketCommand({ Bucket: 'photos-1' }));
    expect(created.Location).toBe('/photos-1');
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'photos-1' }));
    expect(head.BucketRegion).toBe('us-east-1');
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain('photos-1');
    expect(list.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'photos-1' }));
    expect(loc.LocationConstraint ?? '').toBe('');
    // us-east-1 answers 200 when you re-create a bucket you own (S3's legacy behaviour).
    await s3.send(new CreateBucketCommand({ Bucket: 'photos-1' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'photos-1' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'photos-1' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('objects', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
  });

  it('puts and gets an object with its content type, metadata and S3 ETag', async () => {
    const body = Buffer.from('hello, objects');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'docs/hello world+1.txt',
        Body: body,
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="x.txt"',
        Metadata: { author: 'ada', 'Mixed-Case': 'Yes' },
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
    // The SDK sent a CRC32 and S3 echoes it.
    expect(put.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'docs/hello world+1.txt' }));
    expect((await bodyOf(got)).equals(body)).toBe(true);
    expect(got.ContentType).toBe('text/plain; charset=utf-8');
    expect(got.ContentLength).toBe(body.length);
    expect(got.CacheControl).toBe('max-age=60');
    expect(got.ContentDisposition).toBe('attachment; filename="x.txt"');
    expect(got.Metadata).toEqual({ author: 'ada', 'mixed-case': 'Yes' });
    expect(got.ETag).toBe(put.ETag);
    expect(got.LastModified).toBeInstanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'docs/hello world+1.txt' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(put.ETag);
    expect(head.AcceptRanges).toBe('bytes');
  });

  it('defaults the content type to binary/octet-stream and stores empty objects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'empty', Body: Buffer.alloc(0) }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'empty' }));
    expect(head.ContentLength).toBe(0);
    expect(head.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'empty' }));
    expect((await bodyOf(got)).length).toBe(0);
    // A PUT without Content-Type (the SDK always sends one) stores S3's default.
    await fetch(`${server.url}/objects/untyped`, { method: 'PUT', body: new Uint8Array([1, 2]) });
    const raw = await fetch(`${server.url}/objects/untyped`);
    expect(raw.headers.get('content-type')).toBe('binary/octet-stream');
  });

  it('streams an upload of unknown length as aws-chunked with a CRC32 trailer', async () => {
    const parts = [testBytes(70_000, 3), testBytes(1, 4), testBytes(200_000, 5)];
    const all = Buffer.concat(parts);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'streamed',
        Body: Readable.from(parts),
        ContentLength: all.length,
      }),
    );
    expect(put.ETag).toBe(`"${md5(all)}"`);
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'objects', Key: 'streamed', ChecksumMode: 'ENABLED' }),
    );
    expect((await bodyOf(got)).equals(all)).toBe(true);
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
  });

  it('accepts the other checksum algorithms and returns them on request', async () => {
    for (const ChecksumAlgorithm of ['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const body = testBytes(10_000, 7);
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: 'objects',
          Key: `sum-${ChecksumAlgorithm}`,
          Body: body,
          ChecksumAlgorithm,
        }),
      );
      const head = await s3.send(
        new HeadObjectCommand({
          Bucket: 'objects',
          Key: `sum-${ChecksumAlgorithm}`,
          ChecksumMode: 'ENABLED',
        }),
      );
      const key = `Checksum${ChecksumAlgorithm}` as const;
      expect(put[key]).toBeTruthy();
      expect(head[key]).toBe(put[key]);
    }
    const expected = createHash('sha256').update(testBytes(10_000, 7)).digest('base64');
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'objects', Key: 'sum-SHA256', ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumSHA256).toBe(expected);
  });

  it('serves byte ranges', async () => {
    const body = Buffer.from('0123456789');
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'digits', Body: body }));
    const cases: [string, string, string][] = [
      ['bytes=2-5', '2345', 'bytes 2-5/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=8-100', '89', 'bytes 8-9/10'],
    ];
    for (const [Range, text, contentRange] of cases) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range }));
      expect((await bodyOf(got)).toString()).toBe(text);
      expect(got.ContentRange).toBe(contentRange);
      expect(got.$metadata.httpStatusCode).toBe(206);
    }
    // A range S3 cannot parse is ignored: the whole object.
    const whole = await s3.send(
      new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: 'bytes=5-2' }),
    );
    expect((await bodyOf(whole)).toString()).toBe('0123456789');
  });

  it('honours conditional GETs', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v1' }));
    const etag = put.ETag!;
    const ok = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: etag }));
    expect((await bodyOf(ok)).toString()).toBe('v1');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: '"nope"' })),
    ).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfNoneMatch: etag })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 304 },
    });
    const future = new Date(Date.now() + 3_600_000);
    const past = new Date(Date.now() - 3_600_000);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfModifiedSince: future })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfUnmodifiedSince: past })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    // S3's pairing: If-Match true wins over If-Unmodified-Since false.
    const both = await s3.send(
      new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: etag, IfUnmodifiedSince: past }),
    );
    expect(both.$metadata.httpStatusCode).toBe(200);
    // Conditional create: If-None-Match: * refuses to overwrite.
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v2', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond-new', Body: 'v1', IfNoneMatch: '*' }));
  });

  it('copies objects, keeping or replacing metadata', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'src',
        Body: 'copy me',
        ContentType: 'text/x',
        Metadata: { a: '1' },
      }),
    );
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: 'objects', Key: 'dst', CopySource: 'objects/src' }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(Buffer.from('copy me'))}"`);
    const dst = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dst' }));
    expect((await bodyOf(dst)).toString()).toBe('copy me');
    expect(dst.Metadata).toEqual({ a: '1' });
    expect(dst.ContentType).toBe('text/x');
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'objects',
        Key: 'src',
        CopySource: 'objects/src',
        MetadataDirective: 'REPLACE',
        Metadata: { b: '2' },
        ContentType: 'text/y',
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'src' }));
    expect(replaced.Metadata).toEqual({ b: '2' });
    expect(replaced.ContentType).toBe('text/y');
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'src', CopySource: 'objects/src' })),
    ).rejects.toMatchObject({ name: 'InvalidRequest' });
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: 'objects',
          Key: 'x',
          CopySource: 'objects/src',
          CopySourceIfMatch: '"zz"',
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    // Keys with spaces and unicode survive the copy-source encoding.
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'dir/ünï cödé.txt', Body: 'u' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'objects',
        Key: 'u2',
        CopySource: `objects/${encodeURIComponent('dir/ünï cödé.txt')}`,
      }),
    );
    expect(
      (await bodyOf(await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'u2' })))).toString(),
    ).toBe('u');
  });

  it('deletes one object, and many at once', async () => {
    for (const k of ['d1', 'd2', 'd3'])
      await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: k, Body: k }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'd1' }));
    // Deleting what is not there succeeds, as in S3.
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'd1' }));
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'objects',
        Delete: { Objects: [{ Key: 'd2' }, { Key: 'd3' }, { Key: 'never-was' }] },
      }),
    );
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual(['d2', 'd3', 'never-was']);
    const quiet = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'objects', Delete: { Objects: [{ Key: 'x' }], Quiet: true } }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'd2' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('serves presigned URLs and unsigned path-style requests', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'shared file.txt', Body: 'presigned' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'objects', Key: 'shared file.txt' }), {
      expiresIn: 60,
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('presigned');
    const plain = await fetch(`${server.url}/objects/shared%20file.txt`);
    expect(await plain.text()).toBe('presigned');
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'objects', Key: 'uploaded' }), {
      expiresIn: 60,
    });
    expect((await fetch(putUrl, { method: 'PUT', body: 'via url' })).status).toBe(200);
    expect(
      (await bodyOf(await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'uploaded' })))).toString(),
    ).toBe('via url');
  });

  it('answers virtual-host-style requests on <bucket>.s3.localhost', async () => {
    const port = new URL(server.url).port;
    const get = (host: string, path: string) =>
      new Promise<{ status: number; body: string }>((ok, fail) => {
        const req = request(
          { host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` } },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', fail);
        req.end();
      });
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'vhost/key.txt', Body: 'virtual' }));
    expect(await get('objects.s3.localhost', '/vhost/key.txt')).toEqual({ status: 200, body: 'virtual' });
    const listed = await get('objects.s3.localhost', '/?list-type=2&prefix=vhost/');
    expect(listed.body).toContain('<Key>vhost/key.txt</Key>');
    // s3.localhost itself is path style, even for buckets named like other APIs' paths.
    const buckets = await get('s3.localhost', '/');
    expect(buckets.body).toContain('<Name>objects</Name>');
  });

  it('serves the SDK in virtual-host style with endpoint http://localhost:PORT (<bucket>.localhost)', async () => {
    const port = new URL(server.url).port;
    const hosts: string[] = [];
    // Resolve every *.localhost name to loopback, as browsers and systemd-resolved do.
    const lookup = ((hostname: string, options: unknown, cb: (...args: unknown[]) => void) => {
      hosts.push(hostname);
      if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    const vhost = s3Client(`http://localhost:${port}`, {
      requestHandler: { httpAgent: new Agent({ lookup }) },
    });
    try {
      await vhost.send(new PutObjectCommand({ Bucket: 'objects', Key: 'vh/sdk.txt', Body: 'by host' }));
      const got = await vhost.send(new GetObjectCommand({ Bucket: 'objects', Key: 'vh/sdk.txt' }));
      expect((await bodyOf(got)).toString()).toBe('by host');
      const listed = await vhost.send(new ListObjectsV2Command({ Bucket: 'objects', Prefix: 'vh/' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['vh/sdk.txt']);
      const url = await getSignedUrl(vhost, new GetObjectCommand({ Bucket: 'objects', Key: 'vh/sdk.txt' }));
      expect(new URL(url).hostname).toBe('objects.localhost');
      expect(hosts).toContain('objects.localhost');
      // A path-style client sees the same object under the same key.
      const plain = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'vh/sdk.txt' }));
      expect((await bodyOf(plain)).toString()).toBe('by host');
    } finally {
      vhost.destroy();
    }
  });
});

describe('listing', () => {
  const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd/ü', 'e e/f'];
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: Key }));
  });

  it('lists keys in order, with prefix and delimiter', async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'listing' }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(keys);
    expect(all.KeyCount).toBe(keys.length);
    expect(all.IsTruncated).toBe(false);
    expect(all.Contents?.[0]).toMatchObject({ Size: 3, StorageClass: 'STANDARD' });
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/', 'e e/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['c']);
    const inA = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a/', Delimiter: '/' }));
    expect(inA.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    expect(inA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/']);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'b/1' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['c', 'd/ü', 'e e/f']);
  });

  it('pages with continuation tokens, counting common prefixes as keys', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages++;
      seen.push(
        ...(page.Contents ?? []).map((c) => c.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      );
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(seen.sort()).toEqual(['a/', 'b/', 'c', 'd/', 'e e/']);
    expect(pages).toBe(3);
    const none = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 0 }));
    expect(none.KeyCount).toBe(0);
    expect(none.IsTruncated).toBe(false);
  });

  it('supports ListObjects v1 with markers and url encoding', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: 'listing', MaxKeys: 3 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2', 'a/b/3']);
    expect(first.IsTruncated).toBe(true);
    const next = await s3.send(new ListObjectsCommand({ Bucket: 'listing', Marker: 'a/b/3' }));
    expect(next.Contents?.map((c) => c.Key)).toEqual(['b/1', 'c', 'd/ü', 'e e/f']);
    const res = await fetch(`${server.url}/listing?prefix=e&encoding-type=url`);
    const xml = await res.text();
    expect(xml).toContain('<Key>e%20e/f</Key>');
    expect(xml).toContain('<EncodingType>url</EncodingType>');
  });
});

describe('multipart uploads', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'multi' }));
  });

  it('uploads 20 MB in parts and reads it back byte for byte with the -N ETag', async () => {
    const data = testBytes(20 * 1024 * 1024 + 12345, 11);
    const partSize = 8 * 1024 * 1024;
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'multi',
        Key: 'big.bin',
        ContentType: 'application/x-big',
        Metadata: { m: 'p' },
      }),
    );
    const etags: string[] = [];
    for (let i = 0, n = 1; i < data.length; i += partSize, n++) {
      const up = await s3.send(
        new UploadPartCommand({
          Bucket: 'multi',
          Key: 'big.bin',
          UploadId,
          PartNumber: n,
          Body: data.subarray(i, i + partSize),
        }),
      );
      etags.push(up.ETag!);
    }
    const listed = await s3.send(new ListPartsCommand({ Bucket: 'multi', Key: 'big.bin', UploadId }));
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
    expect(listed.Parts?.[0]?.Size).toBe(partSize);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'multi' }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toContain(UploadId);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'multi',
        Key: 'big.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const expectedEtag = `${createHash('md5')
      .update(Buffer.concat(etags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex'))))
      .digest('hex')}-3`;
    expect(done.ETag).toBe(`"${expectedEtag}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'big.bin' }));
    expect(got.ContentType).toBe('application/x-big');
    expect(got.Metadata).toEqual({ m: 'p' });
    expect(got.ETag).toBe(`"${expectedEtag}"`);
    expect(
      createHash('sha256')
        .update(await bodyOf(got))
        .digest('hex'),
    ).toBe(createHash('sha256').update(data).digest('hex'));
    // A range that spans the boundary between two parts.
    const span = await s3.send(
      new GetObjectCommand({
        Bucket: 'multi',
        Key: 'big.bin',
        Range: `bytes=${partSize - 5}-${partSize + 4}`,
      }),
    );
    expect((await bodyOf(span)).equals(data.subarray(partSize - 5, partSize + 5))).toBe(true);
    // Read by part number (what boto3's head_object(PartNumber=...) and part-wise downloaders do):
    // the part's bytes as a 206, with the part count, which a plain HEAD does not tell.
    const second = await s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'big.bin', PartNumber: 2 }));
    expect(second.$metadata.httpStatusCode).toBe(206);
    expect(second.PartsCount).toBe(3);
    expect(second.ContentRange).toBe(`bytes ${partSize}-${2 * partSize - 1}/${data.length}`);
    expect((await bodyOf(second)).equals(data.subarray(partSize, 2 * partSize))).toBe(true);
    const last = await s3.send(new HeadObjectCommand({ Bucket: 'multi', Key: 'big.bin', PartNumber: 3 }));
    expect([last.ContentLength, last.PartsCount]).toEqual([data.length - 2 * partSize, 3]);
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: 'multi', Key: 'big.bin' }))).PartsCount,
    ).toBeUndefined();
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'big.bin', PartNumber: 4 })),
    ).rejects.toMatchObject({ name: 'InvalidPartNumber', $metadata: { httpStatusCode: 416 } });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'big.bin', PartNumber: 1, Range: 'bytes=0-1' })),
    ).rejects.toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'big.bin', PartNumber: 0 })),
    ).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    // An object stored by one PUT is one part: the whole object, and no part count.
    await s3.send(new PutObjectCommand({ Bucket: 'multi', Key: 'single.txt', Body: 'one part' }));
    const whole = await s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'single.txt', PartNumber: 1 }));
    expect([(await bodyOf(whole)).toString(), whole.PartsCount]).toEqual(['one part', undefined]);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: 'multi', Key: 'single.txt', PartNumber: 2 })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 416 } });
    await expect(
      s3.send(new ListPartsCommand({ Bucket: 'multi', Key: 'big.bin', UploadId })),
    ).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
  });

  it('copies a range of an object into a part, and aborts uploads', async () => {
    const src = testBytes(6 * 1024 * 1024, 21);
    await s3.send(new PutObjectCommand({ Bucket: 'multi', Key: 'src.bin', Body: src }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'copied.bin' }),
    );
    const p1 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'multi',
        Key: 'copied.bin',
        UploadId,
        PartNumber: 1,
        CopySource: 'multi/src.bin',
      }),
    );
    const p2 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'multi',
        Key: 'copied.bin',
        UploadId,
        PartNumber: 2,
        CopySource: 'multi/src.bin',
        CopySourceRange: 'bytes=0-99',
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'multi',
        Key: 'copied.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.CopyPartResult!.ETag! },
            { PartNumber: 2, ETag: p2.CopyPartResult!.ETag! },
          ],
        },
      }),
    );
    const got = await bodyOf(await s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'copied.bin' })));
    expect(got.equals(Buffer.concat([src, src.subarray(0, 100)]))).toBe(true);

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'gone' }));
    await s3.send(
      new UploadPartCommand({
        Bucket: 'multi',
        Key: 'gone',
        UploadId: aborted.UploadId,
        PartNumber: 1,
        Body: 'x',
      }),
    );
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: 'multi', Key: 'gone', UploadId: aborted.UploadId }),
    );
    await expect(
      s3.send(new ListPartsCommand({ Bucket: 'multi', Key: 'gone', UploadId: aborted.UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'multi', Key: 'gone' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('keeps composite checksums of parts when the upload names an algorithm', async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'summed', ChecksumAlgorithm: 'SHA256' }),
    );
    const a = testBytes(5 * 1024 * 1024, 31);
    const b = testBytes(1000, 32);
    const p1 = await s3.send(
      new UploadPartCommand({
        Bucket: 'multi',
        Key: 'summed',
        UploadId,
        PartNumber: 1,
        Body: a,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({
        Bucket: 'multi',
        Key: 'summed',
        UploadId,
        PartNumber: 2,
        Body: b,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const sha = (x: Buffer) => createHash('sha256').update(x).digest();
    expect(p1.ChecksumSHA256).toBe(sha(a).toString('base64'));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'multi',
        Key: 'summed',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag, ChecksumSHA256: p1.ChecksumSHA256 },
            { PartNumber: 2, ETag: p2.ETag, ChecksumSHA256: p2.ChecksumSHA256 },
          ],
        },
      }),
    );
    expect(done.ChecksumSHA256).toBe(`${sha(Buffer.concat([sha(a), sha(b)])).toString('base64')}-2`);
    // The SDK skips validating composite checksums; the body still arrives whole.
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'multi', Key: 'summed', ChecksumMode: 'ENABLED' }),
    );
    expect((await bodyOf(got)).equals(Buffer.concat([a, b]))).toBe(true);
  });
});
