import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client, testBytes } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'objects', 'blobs');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
}

async function read(s3: S3Client, Bucket: string, Key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

describe('content-addressed bytes with reference counts', () => {
  let server: TestServer;
  let s3: S3Client;
  beforeAll(async () => {
    server = await startTestServer();
    s3 = s3Client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'dedup' }));
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
  });

  it('stores equal bytes once and reclaims them when the last object goes', async () => {
    const body = testBytes(100_000, 9);
    await s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'one', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'two', Body: body }));
    await s3.send(new CopyObjectCommand({ Bucket: 'dedup', Key: 'three', CopySource: 'dedup/one' }));
    expect(blobFiles(server.dataDir)).toEqual([sha(body)]);
    await s3.send(new DeleteObjectCommand({ Bucket: 'dedup', Key: 'one' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'dedup', Key: 'two' }));
    expect((await read(s3, 'dedup', 'three')).equals(body)).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket: 'dedup', Key: 'three' }));
    expect(blobFiles(server.dataDir)).toEqual([]);
  });

  it('reclaims replaced bytes, aborted parts and parts left out of a completed upload', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'v', Body: 'version 1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'v', Body: 'version 2' }));
    expect(blobFiles(server.dataDir)).toEqual([sha(Buffer.from('version 2'))]);

    const part = testBytes(5 * 1024 * 1024, 12);
    const extra = Buffer.from('not used');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dedup', Key: 'mp' }));
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'dedup', Key: 'mp', UploadId, PartNumber: 1, Body: part }),
    );
    await s3.send(
      new UploadPartCommand({ Bucket: 'dedup', Key: 'mp', UploadId, PartNumber: 2, Body: extra }),
    );
    expect(blobFiles(server.dataDir)).toHaveLength(3);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'dedup',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] },
      }),
    );
    expect(blobFiles(server.dataDir).sort()).toEqual([sha(Buffer.from('version 2')), sha(part)].sort());

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dedup', Key: 'ab' }));
    await s3.send(
      new UploadPartCommand({
        Bucket: 'dedup',
        Key: 'ab',
        UploadId: aborted.UploadId,
        PartNumber: 1,
        Body: 'abandoned',
      }),
    );
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: 'dedup', Key: 'ab', UploadId: aborted.UploadId }),
    );
    expect(blobFiles(server.dataDir)).toHaveLength(2);
  });

  it('keeps bytes that a concurrent writer is storing while another object drops them', async () => {
    const body = testBytes(300_000, 13);
    await s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'race-a', Body: body }));
    // Deleting race-a and writing race-b with the same bytes at once, many times over.
    for (let i = 0; i < 10; i++) {
      await Promise.all([
        s3.send(new DeleteObjectCommand({ Bucket: 'dedup', Key: 'race-a' })),
        s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'race-b', Body: body })),
      ]);
      expect((await read(s3, 'dedup', 'race-b')).equals(body)).toBe(true);
      await s3.send(new PutObjectCommand({ Bucket: 'dedup', Key: 'race-a', Body: body }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'dedup', Key: 'race-b' }));
    }
    expect(blobFiles(server.dataDir)).toContain(sha(body));
  });
});

describe('a crash of the server', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nimbus-crash-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ url: string; s3: S3Client }> {
    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin', 'nimbus.js'),
        'serve',
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    );
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        if (Date.now() > deadline) throw new Error('server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return { url, s3: s3Client(url) };
  }

  it('keeps acknowledged objects, loses the half-written one and sweeps unreferenced files', async () => {
    const first = await start();
    const kept = testBytes(2 * 1024 * 1024, 17);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    await first.s3.send(new PutObjectCommand({ Bucket: 'crash', Key: 'kept', Body: kept }));

    // An upload in flight when the server dies: headers and 8 of 50 MB sent.
    const url = new URL(first.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => undefined);
    await new Promise<void>((ok) => socket.once('connect', () => ok()));
    socket.write(
      `PUT /crash/partial HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    await new Promise<void>((ok) => socket.write(testBytes(8 * 1024 * 1024, 18), () => ok()));
    const tmp = join(dataDir, 'objects', 'tmp');
    const deadline = Date.now() + 5000;
    while (readdirSync(tmp).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(readdirSync(tmp)).toHaveLength(1);
    // And a blob whose metadata commit never happened (crash between the two steps).
    const orphan = 'ab'.repeat(32);
    mkdirSync(join(dataDir, 'objects', 'blobs', 'ab'), { recursive: true });
    writeFileSync(join(dataDir, 'objects', 'blobs', 'ab', orphan), 'orphan');

    const exited = new Promise((ok) => child!.once('exit', ok));
    child!.kill('SIGKILL');
    await exited;
    socket.destroy();
    first.s3.destroy();

    const second = await start();
    try {
      const listed = await second.s3.send(new ListObjectsV2Command({ Bucket: 'crash' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['kept']);
      expect(sha(await read(second.s3, 'crash', 'kept'))).toBe(sha(kept));
      expect(readdirSync(tmp)).toEqual([]);
      expect(existsSync(join(dataDir, 'objects', 'blobs', 'ab', orphan))).toBe(false);
      expect(blobFiles(dataDir)).toEqual([sha(kept)]);
    } finally {
      second.s3.destroy();
      const exited2 = new Promise((ok) => child!.once('exit', ok));
      child!.kill('SIGTERM');
      await exited2;
      child = undefined;
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}
