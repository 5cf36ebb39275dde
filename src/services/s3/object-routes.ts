import { createHash } from 'node:crypto';
import { invalidArgument, invalidRequest, malformedXml, S3Error } from '../../domain/s3-errors.js';
import { DELETE_OBJECTS_MAX, XML_BODY_MAX_BYTES } from '../../domain/s3-limits.js';
import type { ObjectHeaders, ObjectRecord } from '../../domain/s3-object.js';
import { BodyTooLargeError, readRequestBody } from '../../gateway/exchange.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, checksumOf } from '../../objects/checksums.js';
import type { ObjectService } from '../../objects/object-service.js';
import { checkConditions, parseRange, partRange } from './conditions.js';
import { objectResponseHeaders, readObjectHeaders } from './object-headers.js';
import { readBodyInput } from './request-body.js';
import { bucketOf, header, keyOf, type S3Call, type S3Reply, xmlReply } from './s3-call.js';
import { isoTime, parseXml, toXml } from './xml.js';

/** GETs up to this size are read into memory before answering; larger ones stream. */
const BUFFERED_READ_MAX = 1024 * 1024;

export function objectOperations(objects: ObjectService) {
  const getOrHead = async (c: S3Call, head: boolean): Promise<S3Reply> => {
    const o = await objects.head(bucketOf(c), keyOf(c));
    checkConditions(o, {
      ifMatch: header(c, 'if-match'),
      ifNoneMatch: header(c, 'if-none-match'),
      ifModifiedSince: header(c, 'if-modified-since'),
      ifUnmodifiedSince: header(c, 'if-unmodified-since'),
    });
    const partNumber = c.query.get('partNumber');
    const range =
      partNumber === null
        ? parseRange(header(c, 'range'), o.size)
        : partRange(o, partNumber, header(c, 'range'));
    const withChecksum = header(c, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && !range;
    const headers = objectResponseHeaders(o, c.query, withChecksum);
    // S3 tells the part count only to a read by part number, and only for multipart objects.
    if (partNumber !== null && o.partsCount !== undefined) {
      headers['x-amz-mp-parts-count'] = String(o.partsCount);
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? o.size - 1;
    const length = end - start + 1;
    if (range && length > 0) headers['content-range'] = `bytes ${start}-${end}/${o.size}`;
    headers['content-length'] = String(length);
    const status = range ? 206 : 200;
    if (head || length === 0) return { status, headers };
    // Small bodies are read whole (cheaper than a stream, and a read error is still an S3 error).
    const body =
      length <= BUFFERED_READ_MAX ? await objects.readAll(o, start, end) : objects.read(o, start, end);
    return { status, headers, body };
  };

  return {
    async putObject(c: S3Call): Promise<S3Reply> {
      const headers = readObjectHeaders(c.x.req.headers);
      const input = readBodyInput(c.x);
      const ifNoneMatch = header(c, 'if-none-match');
      const ifMatch = header(c, 'if-match');
      if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
        throw new S3Error(
          'NotImplemented',
          'A header you provided implies functionality that is not implemented',
          {
            Header: 'If-None-Match',
          },
        );
      }
      const o = await objects.putObject({
        ...input,
        bucket: bucketOf(c),
        key: keyOf(c),
        headers,
        ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
        ...(ifMatch === undefined ? {} : { ifMatch }),
        ctx: c.ctx,
      });
      return { status: 200, headers: writeResultHeaders(o) };
    },

    getObject: (c: S3Call) => getOrHead(c, false),

    /** Nimbus does not store object tags: every object has an empty tag set. */
    async getObjectTagging(c: S3Call): Promise<S3Reply> {
      await objects.head(bucketOf(c), keyOf(c));
      return xmlReply(toXml('Tagging', { TagSet: {} }));
    },
    headObject: (c: S3Call) => getOrHead(c, true),

    async deleteObject(c: S3Call): Promise<S3Reply> {
      await objects.deleteObject(bucketOf(c), keyOf(c), c.ctx);
      return { status: 204 };
    },

    async copyObject(c: S3Call): Promise<S3Reply> {
      const source = parseCopySource(header(c, 'x-amz-copy-source') ?? '');
      const directive = (header(c, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
      if (directive !== 'COPY' && directive !== 'REPLACE') {
        throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
      }
      const replaceHeaders: ObjectHeaders | undefined =
        directive === 'REPLACE' ? readObjectHeaders(c.x.req.headers) : undefined;
      const o = await objects.copyObject({
        source,
        target: { bucket: bucketOf(c), key: keyOf(c) },
        ...(replaceHeaders ? { replaceHeaders } : {}),
        checkSource: (s) => checkCopySourceConditions(c, s),
        ctx: c.ctx,
      });
      return xmlReply(
        toXml('CopyObjectResult', { LastModified: isoTime(o.lastModified), ETag: `"${o.etag}"` }),
      );
    },

    /** DeleteObjects: up to 1000 keys; S3 requires Content-MD5 (or a checksum) on this body. */
    async deleteObjects(c: S3Call): Promise<S3Reply> {
      const bucket = bucketOf(c);
      await objects.bucket(bucket);
      const body = await readXmlBody(c);
      checkBodyDigest(c, body);
      const doc = parseXml(body, 'Delete');
      const items = doc.Object;
      if (!Array.isArray(items) || items.length === 0 || items.length > DELETE_OBJECTS_MAX)
        throw malformedXml();
      const quiet = String(doc.Quiet ?? '').trim() === 'true';
      const deleted: { Key: string }[] = [];
      const errors: { Key: string; Code: string; Message: string }[] = [];
      for (const item of items) {
        const key = (item as { Key?: unknown }).Key;
        if (typeof key !== 'string' || key === '') throw malformedXml();
        try {
          await objects.deleteObject(bucket, key, c.ctx);
          deleted.push({ Key: key });
        } catch (e) {
          if (!(e instanceof S3Error)) throw e;
          errors.push({ Key: key, Code: e.code, Message: e.message });
        }
      }
      return xmlReply(toXml('DeleteResult', { ...(quiet ? {} : { Deleted: deleted }), Error: errors }));
    },
  };
}

/** ETag and the checksum S3 echoes after a write. */
export function writeResultHeaders(o: ObjectRecord): Record<string, string> {
  const h: Record<string, string> = { etag: `"${o.etag}"` };
  if (o.checksum) {
    h[checksumHeader(o.checksum.algorithm as (typeof CHECKSUM_ALGORITHMS)[number])] = o.checksum.value;
    h['x-amz-checksum-type'] = o.checksum.type;
  }
  return h;
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=...]`, URL-encoded. */
export function parseCopySource(raw: string): { bucket: string; key: string } {
  const value = raw.split('?', 1)[0]!.replace(/^\//, '');
  const slash = value.indexOf('/');
  const bad = () =>
    invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      raw,
    );
  if (slash <= 0 || slash === value.length - 1) throw bad();
  try {
    return {
      bucket: decodeURIComponent(value.slice(0, slash)),
      key: decodeURIComponent(value.slice(slash + 1)),
    };
  } catch {
    throw bad();
  }
}

/** `x-amz-copy-source-if-*`: every failure is 412 (CopyObject never answers 304). */
export function checkCopySourceConditions(c: S3Call, source: ObjectRecord): void {
  checkConditions(
    source,
    {
      ifMatch: header(c, 'x-amz-copy-source-if-match'),
      ifNoneMatch: header(c, 'x-amz-copy-source-if-none-match'),
      ifModifiedSince: header(c, 'x-amz-copy-source-if-modified-since'),
      ifUnmodifiedSince: header(c, 'x-amz-copy-source-if-unmodified-since'),
    },
    false,
  );
}

export async function readXmlBody(c: S3Call): Promise<Buffer> {
  try {
    return await readRequestBody(c.x.req, XML_BODY_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw malformedXml();
    throw e;
  }
}

/** Content-MD5 or an `x-amz-checksum-*` header must be present and match (DeleteObjects). */
function checkBodyDigest(c: S3Call, body: Buffer): void {
  const md5 = header(c, 'content-md5');
  if (md5 !== undefined) {
    if (Buffer.from(md5, 'base64').length !== 16) throw new S3Error('InvalidDigest');
    if (createHash('md5').update(body).digest('base64') !== md5) throw new S3Error('BadDigest');
    return;
  }
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = header(c, checksumHeader(a));
    if (v === undefined) continue;
    if (checksumOf(a, body) !== v) {
      throw new S3Error('BadDigest', `The ${a} you specified did not match the calculated checksum.`);
    }
    return;
  }
  throw invalidRequest('Missing required header for this request: Content-MD5');
}
