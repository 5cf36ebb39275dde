import type { BucketRecord, ObjectRecord, PartRecord, UploadRecord } from '../domain/s3-object.js';

/**
 * The storage port of the object store (S3 API): bucket and object metadata, multipart uploads,
 * reference counts of the content-addressed blobs holding object bytes, and the outbox of bucket
 * notifications. Every mutation is one atomic unit: the object row, the blob reference counts it
 * changes and the notifications it causes commit together or not at all.
 *
 * Mutations that drop the last reference to a blob return its key in `released`; the caller then
 * reclaims the file (`objects/blob-files.ts`).
 */

/** A bucket notification waiting for delivery to the asynchronous invoke path. */
export interface OutboxEvent {
  functionArn: string;
  /** The event JSON (`{"Records":[...]}`). */
  payload: string;
}

export interface StoredOutboxEvent extends OutboxEvent {
  id: number;
  createdAt: number;
}

export interface ListObjectsQuery {
  bucket: string;
  prefix: string;
  /** Only keys strictly greater than this. */
  after?: string;
  /** Only keys greater than or equal to this (skipping a rolled-up common prefix). */
  from?: string;
  limit: number;
}

export interface Released {
  /** Blobs whose last reference is gone. */
  released: string[];
}

export interface ObjectMetadataStore {
  createBucket(b: BucketRecord): Promise<boolean>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(): Promise<BucketRecord[]>;
  /** Deletes an empty bucket and aborts its multipart uploads. */
  deleteBucket(
    name: string,
  ): Promise<{ outcome: 'deleted'; released: string[] } | { outcome: 'missing' } | { outcome: 'not-empty' }>;
  setNotification(name: string, config: unknown | undefined): Promise<boolean>;

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Objects in key order (UTF-8 binary, as S3 lists them). */
  listObjects(q: ListObjectsQuery): Promise<ObjectRecord[]>;
  /**
   * Stores `record` in place of any object under its key, adding one reference to each of its
   * segments (a blob row is created for a new blob; its file must already be durable) and
   * recording `events`. Resolves `undefined` when the bucket is gone. `precondition` sees the
   * current object inside the transaction and may throw to abort the write.
   */
  putObject(
    record: ObjectRecord,
    events: readonly OutboxEvent[],
    precondition?: (current: ObjectRecord | undefined) => void,
  ): Promise<(Released & { replaced: ObjectRecord | undefined }) | undefined>;
  /**
   * Copies `source` to `target` atomically with a check that the source is unchanged (same ETag
   * and time), so its blobs cannot vanish under the copy. Resolves `'source-changed'` otherwise.
   */
  copyObject(
    source: ObjectRecord,
    target: ObjectRecord,
    events: readonly OutboxEvent[],
  ): Promise<(Released & { replaced: ObjectRecord | undefined }) | 'source-changed' | undefined>;
  /** `events` are produced from the deleted object (only recorded when there was one). */
  deleteObject(
    bucket: string,
    key: string,
    events: (deleted: ObjectRecord) => readonly OutboxEvent[],
  ): Promise<Released & { deleted: ObjectRecord | undefined }>;

  createUpload(u: UploadRecord): Promise<boolean>;
  getUpload(uploadId: string): Promise<UploadRecord | undefined>;
  listUploads(bucket: string, limit: number): Promise<UploadRecord[]>;
  /** Stores a part (replacing one with the same number). `undefined` when the upload is gone. */
  putPart(part: PartRecord): Promise<Released | undefined>;
  listParts(uploadId: string, afterPart: number, limit: number): Promise<PartRecord[]>;
  /**
   * Turns an upload into `record` (whose segments are the chosen parts' blobs), dropping the
   * upload and every part; `undefined` when the upload is gone.
   */
  completeUpload(
    uploadId: string,
    record: ObjectRecord,
    events: readonly OutboxEvent[],
  ): Promise<(Released & { replaced: ObjectRecord | undefined }) | undefined>;
  abortUpload(uploadId: string): Promise<Released | undefined>;

  /** Whether a blob row exists (a blob file without one is garbage). */
  hasBlob(sha256: string): Promise<boolean>;
  blobKeys(): Promise<Set<string>>;

  pendingEvents(limit: number): Promise<StoredOutboxEvent[]>;
  deleteEvent(id: number): Promise<void>;
}
