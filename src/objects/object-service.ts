import type { Clock } from '../domain/clock.js';
import { invalidRequest, noSuchBucket, noSuchKey, S3Error } from '../domain/s3-errors.js';
import type { BucketRecord, ObjectHeaders, ObjectRecord, StoredChecksum } from '../domain/s3-object.js';
import type { ObjectMetadataStore, OutboxEvent } from '../store/object-ports.js';
import { type BlobFiles, type PendingBlob, StreamLengthError } from './blob-files.js';
import type { ChangeEventName, ChangeNotifier, RequestContext } from './changes.js';
import { type ChecksumAlgorithm, checksumHeader } from './checksums.js';
import { checkBucketName, checkKey } from './names.js';

/** A checksum the client declared for the body: in a header, or in a trailer read after it. */
export interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm;
  /** The base64 value; called once the body has been read (trailers come last). */
  value: () => string | undefined;
}

export interface BodyInput {
  body: AsyncIterable<Buffer>;
  /** The length the client announced; a body that ends short is IncompleteBody. */
  size?: number;
  /** base64 MD5 from `Content-MD5`, already checked for form. */
  contentMd5?: string;
  checksum?: DeclaredChecksum;
  /** Hex SHA-256 from a signed request's `x-amz-content-sha256`. */
  contentSha256?: string;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface PutObjectInput extends BodyInput {
  bucket: string;
  key: string;
  headers: ObjectHeaders;
  /** `If-None-Match: *` (create only) and `If-Match: <etag>` (replace only that version). */
  ifNoneMatch?: string;
  ifMatch?: string;
  ctx: RequestContext;
}

export interface CopyObjectInput {
  source: { bucket: string; key: string };
  target: { bucket: string; key: string };
  /** Present with `x-amz-metadata-directive: REPLACE`. */
  replaceHeaders?: ObjectHeaders;
  /** Throws (PreconditionFailed) when the `x-amz-copy-source-if-*` conditions do not hold. */
  checkSource: (source: ObjectRecord) => void;
  ctx: RequestContext;
}

export interface ListInput {
  bucket: string;
  prefix: string;
  delimiter?: string;
  /** Return only keys (and common prefixes) after this. */
  after?: string;
  maxKeys: number;
}

export interface ListResult {
  objects: ObjectRecord[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned (the next marker). */
  last?: string;
}

export interface ObjectServiceOptions {
  store: ObjectMetadataStore;
  blobs: BlobFiles;
  clock: Clock;
  region: string;
  notifier: ChangeNotifier;
  /** Called after a commit that recorded notifications (wakes their dispatcher). */
  onEventsCommitted?: () => void;
}

/**
 * The object store behind the S3 API: buckets, objects and their bytes. Bytes are durable
 * before metadata commits; each commit carries the notifications it causes.
 */
export class ObjectService {
  constructor(readonly o: ObjectServiceOptions) {}

  get region(): string {
    return this.o.region;
  }

  /** Seconds precision, like S3's Last-Modified. */
  now(): number {
    return Math.floor(this.o.clock.now() / 1000) * 1000;
  }

  // --- buckets ---------------------------------------------------------------------------------

  async createBucket(name: string): Promise<'created' | 'exists'> {
    checkBucketName(name);
    const created = await this.o.store.createBucket({ name, region: this.o.region, createdAt: this.now() });
    return created ? 'created' : 'exists';
  }

  async bucket(name: string): Promise<BucketRecord> {
    const b = await this.o.store.getBucket(name);
    if (!b) throw noSuchBucket(name);
    return b;
  }

  listBuckets(): Promise<BucketRecord[]> {
    return this.o.store.listBuckets();
  }

  async deleteBucket(name: string): Promise<void> {
    const r = await this.o.store.deleteBucket(name);
    if (r.outcome === 'missing') throw noSuchBucket(name);
    if (r.outcome === 'not-empty') throw new S3Error('BucketNotEmpty', undefined, { BucketName: name });
    await this.reclaim(r.released);
  }

  // --- objects ---------------------------------------------------------------------------------

  async head(bucket: string, key: string): Promise<ObjectRecord> {
    const o = await this.o.store.getObject(bucket, key);
    if (o) return o;
    await this.bucket(bucket);
    throw noSuchKey(key);
  }

  /** The bytes of an object, `start`..`end` inclusive, as a stream. */
  read(o: ObjectRecord, start?: number, end?: number) {
    return this.o.blobs.read(o.segments, start, end);
  }

  /** The bytes of an object, `start`..`end` inclusive, in one buffer (for small reads). */
  readAll(o: ObjectRecord, start?: number, end?: number): Promise<Buffer> {
    return this.o.blobs.readAll(o.segments, start, end);
  }

  async putObject(
    input: PutObjectInput,
    eventName: ChangeEventName = 'ObjectCreated:Put',
  ): Promise<ObjectRecord> {
    checkKey(input.key);
    const bucket = await this.bucket(input.bucket);
    // Checked before reading the body (fail fast) and again atomically with the commit.
    checkWriteConditions(input, await this.o.store.getObject(input.bucket, input.key));
    const written = await this.writeBody(input);
    try {
      const record: ObjectRecord = {
        bucket: input.bucket,
        key: input.key,
        size: written.blob?.size ?? 0,
        etag: written.md5.toString('hex'),
        lastModified: this.now(),
        segments: written.blob ? [written.blob] : [],
        headers: input.headers,
        ...(written.checksum && input.checksum
          ? { checksum: fullChecksum(input.checksum.algorithm, written.checksum) }
          : {}),
      };
      const events = this.#events(bucket, eventName, record, input.ctx);
      const result = await this.o.store.putObject(record, events, (current) =>
        checkWriteConditions(input, current),
      );
      if (!result) throw noSuchBucket(input.bucket);
      this.committed(events);
      await this.reclaim(result.released);
      return record;
    } finally {
      await this.finish(written);
    }
  }

  /**
   * Reads a body into a durable, pinned blob and checks it against the declared length, MD5 and
   * checksum. The caller commits metadata, then calls {@link finish}.
   */
  async writeBody(input: BodyInput): Promise<PendingBlob> {
    let written: PendingBlob;
    try {
      written = await this.o.blobs.write(input.body, {
        ...(input.size === undefined ? {} : { expectedSize: input.size }),
        ...(input.checksum ? { checksum: input.checksum.algorithm } : {}),
      });
    } catch (e) {
      if (e instanceof StreamLengthError) throw new S3Error('IncompleteBody');
      throw e;
    }
    try {
      const sha256 = written.blob?.sha256 ?? EMPTY_SHA256;
      if (input.contentSha256 !== undefined && input.contentSha256 !== sha256) {
        throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
          ClientComputedContentSHA256: input.contentSha256,
          S3ComputedContentSHA256: sha256,
        });
      }
      if (input.contentMd5 !== undefined && input.contentMd5 !== written.md5.toString('base64')) {
        throw new S3Error('BadDigest', undefined, {
          ExpectedDigest: Buffer.from(input.contentMd5, 'base64').toString('hex'),
          CalculatedDigest: written.md5.toString('hex'),
        });
      }
      if (input.checksum) {
        const expected = input.checksum.value();
        if (expected !== undefined && expected !== written.checksum) {
          throw new S3Error(
            'BadDigest',
            `The ${input.checksum.algorithm} you specified did not match the calculated checksum.`,
          );
        }
      }
    } catch (e) {
      await this.finish(written);
      throw e;
    }
    return written;
  }

  /** Unpins a written blob; if nothing references it (a failed request), its file goes. */
  async finish(written: PendingBlob): Promise<void> {
    written.done();
    if (written.blob) await this.reclaim([written.blob.sha256]);
  }

  async reclaim(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.o.blobs.reclaim(keys, (k) => this.o.store.hasBlob(k));
  }

  async copyObject(input: CopyObjectInput): Promise<ObjectRecord> {
    checkKey(input.target.key);
    const targetBucket = await this.bucket(input.target.bucket);
    const same = input.source.bucket === input.target.bucket && input.source.key === input.target.key;
    if (same && !input.replaceHeaders) {
      throw invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    for (let attempt = 0; ; attempt++) {
      const source = await this.head(input.source.bucket, input.source.key);
      input.checkSource(source);
      const record: ObjectRecord = {
        ...source,
        bucket: input.target.bucket,
        key: input.target.key,
        lastModified: this.now(),
        headers: input.replaceHeaders ?? source.headers,
      };
      const events = this.#events(targetBucket, 'ObjectCreated:Copy', record, input.ctx);
      const result = await this.o.store.copyObject(source, record, events);
      if (result === undefined) throw noSuchBucket(input.target.bucket);
      if (result === 'source-changed') {
        if (attempt < 3) continue;
        throw new S3Error('InternalError');
      }
      this.committed(events);
      await this.reclaim(result.released);
      return record;
    }
  }

  /** Deleting a missing key succeeds, as in S3. */
  async deleteObject(
    bucketName: string,
    key: string,
    ctx: RequestContext,
  ): Promise<ObjectRecord | undefined> {
    const bucket = await this.bucket(bucketName);
    let events: OutboxEvent[] = [];
    const r = await this.o.store.deleteObject(bucketName, key, (deleted) => {
      events = this.#events(bucket, 'ObjectRemoved:Delete', deleted, ctx);
      return events;
    });
    this.committed(events);
    await this.reclaim(r.released);
    return r.deleted;
  }

  /**
   * Keys (and, with a delimiter, common prefixes) in UTF-8 binary order, at most `maxKeys` of
   * them together, after `after`.
   */
  async list(q: ListInput): Promise<ListResult> {
    await this.bucket(q.bucket);
    const out: ListResult = { objects: [], commonPrefixes: [], truncated: false };
    const cursor: { after?: string; from?: string } = q.after === undefined ? {} : { after: q.after };
    while (q.maxKeys > 0) {
      const limit = Math.min(q.maxKeys - (out.objects.length + out.commonPrefixes.length) + 1, 1001);
      const rows = await this.o.store.listObjects({ bucket: q.bucket, prefix: q.prefix, ...cursor, limit });
      const step = takeRows(rows, q, out, cursor);
      if (step === 'done' || (step === 'more' && rows.length < limit)) return out;
    }
    return out;
  }

  #events(
    bucket: BucketRecord,
    eventName: ChangeEventName,
    object: ObjectRecord,
    ctx: RequestContext,
  ): OutboxEvent[] {
    return this.o.notifier.eventsFor(bucket, { eventName, object, time: this.o.clock.now(), ctx });
  }

  /** The notifications a change causes; the caller commits them with the change. */
  eventsFor(bucket: BucketRecord, eventName: ChangeEventName, object: ObjectRecord, ctx: RequestContext) {
    return this.#events(bucket, eventName, object, ctx);
  }

  /** After a commit: wakes the dispatcher when the commit recorded notifications. */
  committed(events: readonly OutboxEvent[]): void {
    if (events.length > 0) this.o.onEventsCommitted?.();
  }
}

/** `If-None-Match: *` (create only) and `If-Match` (replace only that ETag) of a PUT. */
function checkWriteConditions(input: PutObjectInput, existing: ObjectRecord | undefined): void {
  if (input.ifNoneMatch !== undefined && existing) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
  }
  if (input.ifMatch !== undefined) {
    if (!existing) throw noSuchKey(input.key);
    if (!etagMatches(input.ifMatch, existing.etag)) {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
    }
  }
}

/**
 * Adds rows to a listing until it is full (`done`, truncated if a row remains) or a common
 * prefix was rolled up (`rolled`: query again past it); `more` when the rows ran out.
 */
function takeRows(
  rows: readonly ObjectRecord[],
  q: ListInput,
  out: ListResult,
  cursor: { after?: string; from?: string },
): 'done' | 'rolled' | 'more' {
  for (const row of rows) {
    if (out.objects.length + out.commonPrefixes.length === q.maxKeys) {
      out.truncated = true;
      return 'done';
    }
    const cp = q.delimiter ? commonPrefix(row.key, q.prefix, q.delimiter) : undefined;
    if (cp === undefined) {
      out.objects.push(row);
      out.last = row.key;
      cursor.after = row.key;
      continue;
    }
    // A prefix at or before the start position was returned on an earlier page.
    if (cursor.after === undefined || cp > cursor.after) {
      out.commonPrefixes.push(cp);
      out.last = cp;
    }
    // Skip every key under this prefix: continue from the least string after all of them.
    const next = successorOf(cp);
    if (next === undefined) return 'done';
    cursor.after = cp;
    cursor.from = next;
    return 'rolled';
  }
  return 'more';
}

/** `abc/` for key `abc/def` under prefix `` with delimiter `/`; undefined when there is none. */
function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  const i = key.indexOf(delimiter, prefix.length);
  return i === -1 ? undefined : key.slice(0, i + delimiter.length);
}

function successorOf(s: string): string | undefined {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    let last = cps.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...cps, last);
  }
  return undefined;
}

export function fullChecksum(algorithm: ChecksumAlgorithm, value: string): StoredChecksum {
  return { algorithm, value, type: 'FULL_OBJECT' };
}

/** `"abc"`, `abc`, `W/"abc"` and `*` all match ETag `abc`; lists are comma-separated. */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((raw) => {
    const t = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return t === '*' || t === etag;
  });
}

export { checksumHeader };
