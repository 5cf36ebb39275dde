/** Buckets and objects as Nimbus stores them (the S3 wire shapes live in `services/s3/`). */

/** One run of object bytes: a content-addressed blob (hex SHA-256). */
export interface BlobRef {
  sha256: string;
  size: number;
}

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  /** One of `objects/checksums.ts` CHECKSUM_ALGORITHMS. */
  algorithm: string;
  /** base64; composite checksums carry `-<parts>`. */
  value: string;
  type: ChecksumType;
}

/** What a PUT (or CreateMultipartUpload) says about the object besides its bytes. */
export interface ObjectHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** `x-amz-meta-*` without the prefix, names lower-cased. */
  metadata: Record<string, string>;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  size: number;
  /** Without quotes: MD5 hex, or `<md5 of part md5s>-<parts>` for multipart objects. */
  etag: string;
  /** Epoch milliseconds. */
  lastModified: number;
  /** The bytes, in order: one blob for a PUT (none when empty), one per part for multipart. */
  segments: BlobRef[];
  /** Multipart objects: how many parts (each segment is one). */
  partsCount?: number;
  headers: ObjectHeaders;
  checksum?: StoredChecksum;
}

export interface BucketRecord {
  name: string;
  region: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** The stored notification configuration (JSON of `triggers/s3/notification-config.ts`). */
  notification?: unknown;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiatedAt: number;
  headers: ObjectHeaders;
  /** `x-amz-checksum-algorithm` given at creation. */
  checksumAlgorithm?: string;
  checksumType?: ChecksumType;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  blob: BlobRef | undefined;
  /** MD5 hex, without quotes. */
  etag: string;
  lastModified: number;
  checksum?: { algorithm: string; value: string };
}
