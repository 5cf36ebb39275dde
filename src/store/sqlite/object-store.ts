import { z } from 'zod';
import type {
  BlobRef,
  BucketRecord,
  ObjectHeaders,
  ObjectRecord,
  PartRecord,
  UploadRecord,
} from '../../domain/s3-object.js';
import type {
  ListObjectsQuery,
  ObjectMetadataStore,
  OutboxEvent,
  Released,
  StoredOutboxEvent,
} from '../object-ports.js';
import type { SqliteDatabase } from './database.js';

const BlobRefSchema = z.object({ sha256: z.string(), size: z.number() });
const SegmentsSchema = z.array(BlobRefSchema);
const HeadersSchema = z.object({
  contentType: z.string().optional(),
  contentEncoding: z.string().optional(),
  contentDisposition: z.string().optional(),
  contentLanguage: z.string().optional(),
  cacheControl: z.string().optional(),
  expires: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
});
const ChecksumSchema = z.object({
  algorithm: z.string(),
  value: z.string(),
  type: z.enum(['FULL_OBJECT', 'COMPOSITE']),
});
const PartChecksumSchema = z.object({ algorithm: z.string(), value: z.string() });

interface BucketRow {
  name: string;
  region: string;
  created_at: number;
  notification: string | null;
}
interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  last_modified: number;
  segments: string;
  parts_count: number | null;
  headers: string;
  checksum: string | null;
}
interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated_at: number;
  headers: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
}
interface PartRow {
  upload_id: string;
  part_number: number;
  sha256: string | null;
  size: number;
  etag: string;
  last_modified: number;
  checksum: string | null;
}

/**
 * SQLite adapter of {@link ObjectMetadataStore}. Each mutation is one transaction committed with
 * `synchronous=FULL`: an acknowledged write survives power loss, not only a crash of the process
 * (the blob files it references were synced before the transaction began). Concurrent mutations
 * share one commit.
 */
export class SqliteObjectStore implements ObjectMetadataStore {
  readonly #s;
  readonly #queue: { fn: () => unknown; ok: (v: unknown) => void; fail: (e: unknown) => void }[] = [];

  constructor(private readonly db: SqliteDatabase) {
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.#s = {
      insertBucket: p<[string, string, number]>(
        'INSERT OR IGNORE INTO s3_buckets (name, region, created_at) VALUES (?, ?, ?)',
      ),
      getBucket: p<[string], BucketRow>('SELECT * FROM s3_buckets WHERE name = ?'),
      listBuckets: p<[], BucketRow>('SELECT * FROM s3_buckets ORDER BY name'),
      deleteBucket: p<[string]>('DELETE FROM s3_buckets WHERE name = ?'),
      anyObject: p<[string], { n: number }>('SELECT 1 AS n FROM s3_objects WHERE bucket = ? LIMIT 1'),
      setNotification: p<[string | null, string]>('UPDATE s3_buckets SET notification = ? WHERE name = ?'),
      getObject: p<[string, string], ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?'),
      list: p<
        [{ bucket: string; after: string; from: string; before: string | null; limit: number }],
        ObjectRow
      >(
        `SELECT * FROM s3_objects WHERE bucket = @bucket AND key > @after AND key >= @from
           AND (@before IS NULL OR key < @before)
         ORDER BY key LIMIT @limit`,
      ),
      upsertObject: p<[string, string, number, string, number, string, number | null, string, string | null]>(
        `INSERT INTO s3_objects (bucket, key, size, etag, last_modified, segments, parts_count, headers, checksum)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag,
           last_modified = excluded.last_modified, segments = excluded.segments,
           parts_count = excluded.parts_count, headers = excluded.headers, checksum = excluded.checksum`,
      ),
      deleteObject: p<[string, string]>('DELETE FROM s3_objects WHERE bucket = ? AND key = ?'),
      addRef: p<[string, number]>(
        'INSERT INTO s3_blobs (sha256, size, refs) VALUES (?, ?, 1) ON CONFLICT (sha256) DO UPDATE SET refs = refs + 1',
      ),
      dropRef: p<[string]>('UPDATE s3_blobs SET refs = refs - 1 WHERE sha256 = ? AND refs > 1'),
      deleteBlob: p<[string]>('DELETE FROM s3_blobs WHERE sha256 = ? AND refs = 1'),
      hasBlob: p<[string], { n: number }>('SELECT 1 AS n FROM s3_blobs WHERE sha256 = ?'),
      blobKeys: p<[], { sha256: string }>('SELECT sha256 FROM s3_blobs'),
      insertUpload: p<[string, string, string, number, string, string | null, string | null]>(
        `INSERT OR IGNORE INTO s3_uploads (upload_id, bucket, key, initiated_at, headers, checksum_algorithm, checksum_type)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      getUpload: p<[string], UploadRow>('SELECT * FROM s3_uploads WHERE upload_id = ?'),
      listUploads: p<[string, number], UploadRow>(
        'SELECT * FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated_at LIMIT ?',
      ),
      uploadsOfBucket: p<[string], { upload_id: string }>(
        'SELECT upload_id FROM s3_uploads WHERE bucket = ?',
      ),
      deleteUpload: p<[string]>('DELETE FROM s3_uploads WHERE upload_id = ?'),
      getPart: p<[string, number], PartRow>('SELECT * FROM s3_parts WHERE upload_id = ? AND part_number = ?'),
      upsertPart: p<[string, number, string | null, number, string, number, string | null]>(
        `INSERT INTO s3_parts (upload_id, part_number, sha256, size, etag, last_modified, checksum)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (upload_id, part_number) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
           etag = excluded.etag, last_modified = excluded.last_modified, checksum = excluded.checksum`,
      ),
      listParts: p<[string, number, number], PartRow>(
        'SELECT * FROM s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
      ),
      allParts: p<[string], PartRow>('SELECT * FROM s3_parts WHERE upload_id = ?'),
      deleteParts: p<[string]>('DELETE FROM s3_parts WHERE upload_id = ?'),
      insertEvent: p<[string, string, number]>(
        'INSERT INTO s3_event_outbox (function_arn, payload, created_at) VALUES (?, ?, ?)',
      ),
      pendingEvents: p<[number], { id: number; function_arn: string; payload: string; created_at: number }>(
        'SELECT * FROM s3_event_outbox ORDER BY id LIMIT ?',
      ),
      deleteEvent: p<[number]>('DELETE FROM s3_event_outbox WHERE id = ?'),
    };
  }

  /**
   * Runs `fn` in a transaction that has reached the disk when the promise resolves. Transactions
   * queued in the same turn of the event loop commit together (group commit: one WAL sync for
   * all of them), each in its own savepoint so that one failing does not undo the others.
   */
  #durable<T>(fn: () => T): Promise<T> {
    return new Promise<T>((ok, fail) => {
      this.#queue.push({ fn, ok: ok as (v: unknown) => void, fail });
      if (this.#queue.length === 1) setImmediate(() => this.#commitQueued());
    });
  }

  #commitQueued(): void {
    const batch = this.#queue.splice(0);
    const outcomes: { ok: boolean; value: unknown }[] = [];
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: this.db.transaction(item.fn)() });
          } catch (e) {
            outcomes.push({ ok: false, value: e });
          }
        }
      })();
    } catch (e) {
      for (const item of batch) item.fail(e);
      return;
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.ok(o.value);
      else item.fail(o.value);
    });
  }

  #ref(segments: readonly BlobRef[]): void {
    for (const s of segments) this.#s.addRef.run(s.sha256, s.size);
  }

  /** Drops one reference from each blob; returns those that reached zero. */
  #unref(shas: readonly string[], released: string[]): void {
    for (const sha of shas) {
      if (this.#s.dropRef.run(sha).changes === 0 && this.#s.deleteBlob.run(sha).changes === 1) {
        released.push(sha);
      }
    }
  }

  #events(events: readonly OutboxEvent[]): void {
    const now = Date.now();
    for (const e of events) this.#s.insertEvent.run(e.functionArn, e.payload, now);
  }

  async createBucket(b: BucketRecord): Promise<boolean> {
    return this.#durable(() => this.#s.insertBucket.run(b.name, b.region, b.createdAt).changes === 1);
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    const row = this.#s.getBucket.get(name);
    return row && toBucket(row);
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return this.#s.listBuckets.all().map(toBucket);
  }

  async deleteBucket(
    name: string,
  ): Promise<{ outcome: 'deleted'; released: string[] } | { outcome: 'missing' } | { outcome: 'not-empty' }> {
    return this.#durable(() => {
      if (!this.#s.getBucket.get(name)) return { outcome: 'missing' as const };
      if (this.#s.anyObject.get(name)) return { outcome: 'not-empty' as const };
      const released: string[] = [];
      for (const u of this.#s.uploadsOfBucket.all(name)) this.#dropUpload(u.upload_id, released);
      this.#s.deleteBucket.run(name);
      return { outcome: 'deleted' as const, released };
    });
  }

  async setNotification(name: string, config: unknown | undefined): Promise<boolean> {
    const json = config === undefined ? null : JSON.stringify(config);
    return this.#durable(() => this.#s.setNotification.run(json, name).changes === 1);
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const row = this.#s.getObject.get(bucket, key);
    return row && toObject(row);
  }

  async listObjects(q: ListObjectsQuery): Promise<ObjectRecord[]> {
    const from = q.from !== undefined && q.from > q.prefix ? q.from : q.prefix;
    return this.#s.list
      .all({
        bucket: q.bucket,
        after: q.after ?? '',
        from,
        before: successor(q.prefix) ?? null,
        limit: q.limit,
      })
      .map(toObject);
  }

  async putObject(
    record: ObjectRecord,
    events: readonly OutboxEvent[],
    precondition?: (current: ObjectRecord | undefined) => void,
  ) {
    return this.#durable(() => {
      if (!this.#s.getBucket.get(record.bucket)) return undefined;
      if (precondition) {
        const row = this.#s.getObject.get(record.bucket, record.key);
        precondition(row && toObject(row));
      }
      return this.#replace(record, events);
    });
  }

  /** Writes `record` over whatever is under its key; the caller holds the transaction. */
  #replace(record: ObjectRecord, events: readonly OutboxEvent[]) {
    const old = this.#s.getObject.get(record.bucket, record.key);
    const replaced = old && toObject(old);
    this.#ref(record.segments);
    this.#s.upsertObject.run(
      record.bucket,
      record.key,
      record.size,
      record.etag,
      record.lastModified,
      JSON.stringify(record.segments),
      record.partsCount ?? null,
      JSON.stringify(record.headers),
      record.checksum ? JSON.stringify(record.checksum) : null,
    );
    const released: string[] = [];
    if (replaced)
      this.#unref(
        replaced.segments.map((s) => s.sha256),
        released,
      );
    this.#events(events);
    return { released, replaced };
  }

  async copyObject(source: ObjectRecord, target: ObjectRecord, events: readonly OutboxEvent[]) {
    return this.#durable(() => {
      const now = this.#s.getObject.get(source.bucket, source.key);
      if (!now || now.etag !== source.etag || now.last_modified !== source.lastModified) {
        return 'source-changed' as const;
      }
      if (!this.#s.getBucket.get(target.bucket)) return undefined;
      return this.#replace(target, events);
    });
  }

  async deleteObject(bucket: string, key: string, events: (deleted: ObjectRecord) => readonly OutboxEvent[]) {
    return this.#durable(() => {
      const row = this.#s.getObject.get(bucket, key);
      const released: string[] = [];
      if (!row) return { released, deleted: undefined };
      const deleted = toObject(row);
      this.#s.deleteObject.run(bucket, key);
      this.#unref(
        deleted.segments.map((s) => s.sha256),
        released,
      );
      this.#events(events(deleted));
      return { released, deleted };
    });
  }

  async createUpload(u: UploadRecord): Promise<boolean> {
    return this.#durable(() => {
      if (!this.#s.getBucket.get(u.bucket)) return false;
      return (
        this.#s.insertUpload.run(
          u.uploadId,
          u.bucket,
          u.key,
          u.initiatedAt,
          JSON.stringify(u.headers),
          u.checksumAlgorithm ?? null,
          u.checksumType ?? null,
        ).changes === 1
      );
    });
  }

  async getUpload(uploadId: string): Promise<UploadRecord | undefined> {
    const row = this.#s.getUpload.get(uploadId);
    return row && toUpload(row);
  }

  async listUploads(bucket: string, limit: number): Promise<UploadRecord[]> {
    return this.#s.listUploads.all(bucket, limit).map(toUpload);
  }

  async putPart(part: PartRecord): Promise<Released | undefined> {
    return this.#durable(() => {
      if (!this.#s.getUpload.get(part.uploadId)) return undefined;
      const old = this.#s.getPart.get(part.uploadId, part.partNumber);
      if (part.blob) this.#ref([part.blob]);
      this.#s.upsertPart.run(
        part.uploadId,
        part.partNumber,
        part.blob?.sha256 ?? null,
        part.blob?.size ?? 0,
        part.etag,
        part.lastModified,
        part.checksum ? JSON.stringify(part.checksum) : null,
      );
      const released: string[] = [];
      if (old?.sha256) this.#unref([old.sha256], released);
      return { released };
    });
  }

  async listParts(uploadId: string, afterPart: number, limit: number): Promise<PartRecord[]> {
    return this.#s.listParts.all(uploadId, afterPart, limit).map(toPart);
  }

  async completeUpload(uploadId: string, record: ObjectRecord, events: readonly OutboxEvent[]) {
    return this.#durable(() => {
      if (!this.#s.getUpload.get(uploadId)) return undefined;
      if (!this.#s.getBucket.get(record.bucket)) return undefined;
      // The object takes its own reference to the chosen parts' blobs before the parts go.
      const result = this.#replace(record, events);
      this.#dropUpload(uploadId, result.released);
      return result;
    });
  }

  async abortUpload(uploadId: string): Promise<Released | undefined> {
    return this.#durable(() => {
      if (!this.#s.getUpload.get(uploadId)) return undefined;
      const released: string[] = [];
      this.#dropUpload(uploadId, released);
      return { released };
    });
  }

  #dropUpload(uploadId: string, released: string[]): void {
    const shas = this.#s.allParts
      .all(uploadId)
      .map((p) => p.sha256)
      .filter((s): s is string => s !== null);
    this.#s.deleteParts.run(uploadId);
    this.#s.deleteUpload.run(uploadId);
    this.#unref(shas, released);
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return this.#s.hasBlob.get(sha256) !== undefined;
  }

  async blobKeys(): Promise<Set<string>> {
    return new Set(this.#s.blobKeys.all().map((r) => r.sha256));
  }

  async pendingEvents(limit: number): Promise<StoredOutboxEvent[]> {
    return this.#s.pendingEvents.all(limit).map((r) => ({
      id: r.id,
      functionArn: r.function_arn,
      payload: r.payload,
      createdAt: r.created_at,
    }));
  }

  async deleteEvent(id: number): Promise<void> {
    this.#s.deleteEvent.run(id);
  }
}

/**
 * The least string greater than every string that starts with `prefix` (in code point order,
 * which is UTF-8 byte order); `undefined` for the empty prefix or one of only U+10FFFF.
 */
export function successor(prefix: string): string | undefined {
  const cps = [...prefix].map((c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    let last = cps.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...cps, last);
  }
  return undefined;
}

function toBucket(r: BucketRow): BucketRecord {
  return {
    name: r.name,
    region: r.region,
    createdAt: r.created_at,
    ...(r.notification ? { notification: JSON.parse(r.notification) as unknown } : {}),
  };
}

function toObject(r: ObjectRow): ObjectRecord {
  return {
    bucket: r.bucket,
    key: r.key,
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    segments: SegmentsSchema.parse(JSON.parse(r.segments)),
    ...(r.parts_count === null ? {} : { partsCount: r.parts_count }),
    headers: parseHeaders(r.headers),
    ...(r.checksum ? { checksum: ChecksumSchema.parse(JSON.parse(r.checksum)) } : {}),
  };
}

function parseHeaders(json: string): ObjectHeaders {
  const h = HeadersSchema.parse(JSON.parse(json));
  const out: ObjectHeaders = { metadata: h.metadata };
  for (const k of [
    'contentType',
    'contentEncoding',
    'contentDisposition',
    'contentLanguage',
    'cacheControl',
    'expires',
  ] as const) {
    const v = h[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function toUpload(r: UploadRow): UploadRecord {
  return {
    uploadId: r.upload_id,
    bucket: r.bucket,
    key: r.key,
    initiatedAt: r.initiated_at,
    headers: parseHeaders(r.headers),
    ...(r.checksum_algorithm ? { checksumAlgorithm: r.checksum_algorithm } : {}),
    ...(r.checksum_type === 'FULL_OBJECT' || r.checksum_type === 'COMPOSITE'
      ? { checksumType: r.checksum_type }
      : {}),
  };
}

function toPart(r: PartRow): PartRecord {
  return {
    uploadId: r.upload_id,
    partNumber: r.part_number,
    blob: r.sha256 ? { sha256: r.sha256, size: r.size } : undefined,
    etag: r.etag,
    lastModified: r.last_modified,
    ...(r.checksum ? { checksum: PartChecksumSchema.parse(JSON.parse(r.checksum)) } : {}),
  };
}
