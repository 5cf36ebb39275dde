import { invalidArgument, invalidRequest, S3Error } from '../../domain/s3-errors.js';
import { PART_NUMBER_MAX } from '../../domain/s3-limits.js';
import type { ObjectRecord } from '../../domain/s3-object.js';
import { etagMatches } from '../../objects/object-service.js';
import { httpDate } from './object-headers.js';

export interface Conditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

/**
 * GetObject / HeadObject preconditions in RFC 7232 order, with S3's documented pairings: when
 * If-Match holds, If-Unmodified-Since is ignored (200); when If-None-Match fails, If-Modified-Since
 * is ignored (304). Failed If-Match / If-Unmodified-Since → 412 PreconditionFailed; failed
 * If-None-Match / If-Modified-Since → 304 Not Modified (with ETag and Last-Modified).
 * `notModified` false turns 304 cases into 412 (CopyObject's `x-amz-copy-source-if-*`).
 */
export function checkConditions(o: ObjectRecord, c: Conditions, notModified = true): void {
  const failed = (condition: string) =>
    new S3Error('PreconditionFailed', undefined, { Condition: condition });
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, o.etag)) throw failed('If-Match');
  } else if (c.ifUnmodifiedSince !== undefined) {
    const t = Date.parse(c.ifUnmodifiedSince);
    if (!Number.isNaN(t) && o.lastModified > t) throw failed('If-Unmodified-Since');
  }
  const unchanged = (condition: string) =>
    notModified
      ? new S3Error(
          'NotModified',
          undefined,
          {},
          { etag: `"${o.etag}"`, 'last-modified': httpDate(o.lastModified) },
        )
      : failed(condition);
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, o.etag)) throw unchanged('If-None-Match');
  } else if (c.ifModifiedSince !== undefined) {
    const t = Date.parse(c.ifModifiedSince);
    if (!Number.isNaN(t) && o.lastModified <= t) throw unchanged('If-Modified-Since');
  }
}

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A `Range: bytes=...` header against an object of `size` bytes. Forms: `a-b`, `a-`, `-n`. A
 * header S3 cannot parse (or several ranges) is ignored: the whole object is sent. A well-formed
 * range that starts past the end is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const invalid = () =>
    new S3Error(
      'InvalidRange',
      undefined,
      { RangeRequested: header, ActualObjectSize: size },
      { 'content-range': `bytes */${size}` },
    );
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw invalid();
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (end < start) return undefined;
  if (start >= size) throw invalid();
  return { start, end: Math.min(end, size - 1) };
}

/**
 * GetObject / HeadObject `?partNumber=N`: a ranged read of part N as it was uploaded (S3 API
 * Reference, GetObject "partNumber"). An object that was not uploaded in parts has one part, the
 * whole object. A part past the last is 416 InvalidPartNumber; a Range header as well is 400.
 * An empty part (only the last can be) is an empty range: `end` is `start - 1`.
 */
export function partRange(o: ObjectRecord, raw: string, rangeHeader: string | undefined): ByteRange {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > PART_NUMBER_MAX) {
    throw invalidArgument(
      `Part number must be an integer between 1 and ${PART_NUMBER_MAX}, inclusive`,
      'partNumber',
      raw,
    );
  }
  if (rangeHeader !== undefined) {
    throw invalidRequest('Cannot specify both Range header and partNumber query parameter');
  }
  const parts = o.partsCount ?? 1;
  if (n > parts) {
    throw new S3Error('InvalidPartNumber', undefined, { PartNumberRequested: n, ActualPartCount: parts });
  }
  // Multipart objects keep one segment per non-empty part; only the last part may be empty.
  const segments = o.partsCount === undefined ? [{ size: o.size }] : o.segments;
  const start = segments.slice(0, n - 1).reduce((sum, s) => sum + s.size, 0);
  const size = segments[n - 1]?.size ?? 0;
  return { start, end: start + size - 1 };
}
