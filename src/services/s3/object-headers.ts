import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../../domain/s3-errors.js';
import { USER_METADATA_MAX_BYTES } from '../../domain/s3-limits.js';
import type { ObjectHeaders, ObjectRecord } from '../../domain/s3-object.js';
import { checksumHeader } from '../../objects/checksums.js';

/** What S3 stores when a PUT names no Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const META_PREFIX = 'x-amz-meta-';

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** Content-* headers, Cache-Control, Expires and `x-amz-meta-*` of a PUT or CreateMultipartUpload. */
export function readObjectHeaders(h: IncomingHttpHeaders): ObjectHeaders {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue;
    const key = name.slice(META_PREFIX.length);
    const v = Array.isArray(value) ? value.join(',') : value;
    metadata[key] = v;
    size += Buffer.byteLength(key) + Buffer.byteLength(v);
  }
  if (size > USER_METADATA_MAX_BYTES) {
    throw new S3Error('MetadataTooLarge', undefined, { Size: size, MaxSizeAllowed: USER_METADATA_MAX_BYTES });
  }
  const out: ObjectHeaders = { metadata, contentType: header(h, 'content-type') ?? DEFAULT_CONTENT_TYPE };
  // `aws-chunked` describes the transfer, not the object; S3 drops it.
  const encoding = header(h, 'content-encoding')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked')
    .join(', ');
  if (encoding) out.contentEncoding = encoding;
  const copy = [
    ['content-disposition', 'contentDisposition'],
    ['content-language', 'contentLanguage'],
    ['cache-control', 'cacheControl'],
    ['expires', 'expires'],
  ] as const;
  for (const [name, field] of copy) {
    const v = header(h, name);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/** `Response-*` query parameters of GetObject that override the stored headers. */
const OVERRIDES = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
} as const;

/** RFC 7231 date, as S3 sends `Last-Modified`. */
export const httpDate = (ms: number) => new Date(ms).toUTCString();

/** The headers GetObject and HeadObject answer with (besides length and range). */
export function objectResponseHeaders(
  o: ObjectRecord,
  query: URLSearchParams,
  withChecksum: boolean,
): Record<string, string> {
  const h: Record<string, string> = {
    'last-modified': httpDate(o.lastModified),
    etag: `"${o.etag}"`,
    'accept-ranges': 'bytes',
    'content-type': o.headers.contentType ?? DEFAULT_CONTENT_TYPE,
  };
  if (o.headers.contentEncoding) h['content-encoding'] = o.headers.contentEncoding;
  if (o.headers.contentDisposition) h['content-disposition'] = o.headers.contentDisposition;
  if (o.headers.contentLanguage) h['content-language'] = o.headers.contentLanguage;
  if (o.headers.cacheControl) h['cache-control'] = o.headers.cacheControl;
  if (o.headers.expires) h.expires = o.headers.expires;
  for (const [k, v] of Object.entries(o.headers.metadata)) h[`${META_PREFIX}${k}`] = v;
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const v = query.get(param);
    if (v !== null) h[name] = v;
  }
  if (withChecksum && o.checksum) {
    const alg = o.checksum.algorithm as Parameters<typeof checksumHeader>[0];
    h[checksumHeader(alg)] = o.checksum.value;
    h['x-amz-checksum-type'] = o.checksum.type;
  }
  return h;
}
