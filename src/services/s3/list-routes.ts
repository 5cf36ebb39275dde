import { invalidArgument } from '../../domain/s3-errors.js';
import { LIST_MAX_KEYS } from '../../domain/s3-limits.js';
import type { ObjectRecord } from '../../domain/s3-object.js';
import type { ObjectService } from '../../objects/object-service.js';
import type { Owner } from './bucket-routes.js';
import { bucketOf, type S3Call, type S3Reply, xmlReply } from './s3-call.js';
import { isoTime, toXml, type XmlObject } from './xml.js';

/** ListObjectsV2 (`?list-type=2`) and ListObjects (v1), sharing one listing. */
export function listOperations(objects: ObjectService, owner: Owner) {
  const common = (c: S3Call) => {
    const encodingType = c.query.get('encoding-type');
    if (encodingType !== null && encodingType !== 'url') {
      throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
    }
    const encode = encodingType === 'url' ? urlEncode : (s: string) => s;
    const delimiter = c.query.get('delimiter') || undefined;
    return {
      bucket: bucketOf(c),
      prefix: c.query.get('prefix') ?? '',
      delimiter,
      maxKeys: maxKeys(c.query.get('max-keys')),
      encode,
      encodingType: encodingType ?? undefined,
    };
  };
  const contents = (o: ObjectRecord, encode: (s: string) => string, withOwner: boolean): XmlObject => ({
    Key: encode(o.key),
    LastModified: isoTime(o.lastModified),
    ETag: `"${o.etag}"`,
    ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: o.checksum.type } : {}),
    Size: o.size,
    ...(withOwner ? { Owner: { ID: owner.id, DisplayName: owner.displayName } } : {}),
    StorageClass: 'STANDARD',
  });

  return {
    async listObjectsV2(c: S3Call): Promise<S3Reply> {
      const q = common(c);
      const token = c.query.get('continuation-token');
      const startAfter = c.query.get('start-after') ?? undefined;
      let after = startAfter;
      if (token !== null) after = decodeToken(token);
      const r = await objects.list({
        bucket: q.bucket,
        prefix: q.prefix,
        ...(q.delimiter ? { delimiter: q.delimiter } : {}),
        ...(after === undefined ? {} : { after }),
        maxKeys: q.maxKeys,
      });
      const withOwner = c.query.get('fetch-owner') === 'true';
      return xmlReply(
        toXml('ListBucketResult', {
          Name: q.bucket,
          Prefix: q.encode(q.prefix),
          ...(token === null ? {} : { ContinuationToken: token }),
          ...(startAfter === undefined ? {} : { StartAfter: q.encode(startAfter) }),
          KeyCount: r.objects.length + r.commonPrefixes.length,
          MaxKeys: q.maxKeys,
          Delimiter: q.delimiter === undefined ? undefined : q.encode(q.delimiter),
          EncodingType: q.encodingType,
          IsTruncated: r.truncated,
          NextContinuationToken: r.truncated && r.last !== undefined ? encodeToken(r.last) : undefined,
          Contents: r.objects.map((o) => contents(o, q.encode, withOwner)),
          CommonPrefixes: r.commonPrefixes.map((p) => ({ Prefix: q.encode(p) })),
        }),
      );
    },

    async listObjects(c: S3Call): Promise<S3Reply> {
      const q = common(c);
      const marker = c.query.get('marker') ?? '';
      const r = await objects.list({
        bucket: q.bucket,
        prefix: q.prefix,
        ...(q.delimiter ? { delimiter: q.delimiter } : {}),
        ...(marker === '' ? {} : { after: marker }),
        maxKeys: q.maxKeys,
      });
      return xmlReply(
        toXml('ListBucketResult', {
          Name: q.bucket,
          Prefix: q.encode(q.prefix),
          Marker: q.encode(marker),
          // S3 sends NextMarker only with a delimiter; without one, clients use the last key.
          NextMarker: r.truncated && q.delimiter && r.last !== undefined ? q.encode(r.last) : undefined,
          MaxKeys: q.maxKeys,
          Delimiter: q.delimiter === undefined ? undefined : q.encode(q.delimiter),
          EncodingType: q.encodingType,
          IsTruncated: r.truncated,
          Contents: r.objects.map((o) => contents(o, q.encode, true)),
          CommonPrefixes: r.commonPrefixes.map((p) => ({ Prefix: q.encode(p) })),
        }),
      );
    },
  };
}

export function maxKeys(raw: string | null, name = 'max-keys'): number {
  if (raw === null || raw === '') return LIST_MAX_KEYS;
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) > 2147483647) {
    throw invalidArgument('Provided max-keys not an integer or within integer range', name, raw);
  }
  const n = Number(raw);
  if (n < 0) throw invalidArgument('Argument maxKeys must be an integer between 0 and 2147483647', name, raw);
  return Math.min(n, LIST_MAX_KEYS);
}

/** `encoding-type=url`: percent-encoding that keeps `/` (clients decode with unquote_plus). */
export function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, '/');
}

const TOKEN_PREFIX = 'n1:';

export function encodeToken(last: string): string {
  return Buffer.from(TOKEN_PREFIX + last, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX)) {
    throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return text.slice(TOKEN_PREFIX.length);
}
