import { invalidArgument, malformedXml } from '../../domain/s3-errors.js';
import { PART_NUMBER_MAX } from '../../domain/s3-limits.js';
import type { ChecksumType } from '../../domain/s3-object.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeader } from '../../objects/checksums.js';
import {
  type CompletedPartInput,
  checkPartNumber,
  type MultipartService,
} from '../../objects/multipart-service.js';
import type { ObjectService } from '../../objects/object-service.js';
import type { Owner } from './bucket-routes.js';
import { maxKeys, urlEncode } from './list-routes.js';
import { readObjectHeaders } from './object-headers.js';
import {
  checkCopySourceConditions,
  parseCopySource,
  readXmlBody,
  writeResultHeaders,
} from './object-routes.js';
import { readBodyInput, requestedChecksumAlgorithm } from './request-body.js';
import { bucketOf, header, keyOf, type S3Call, type S3Reply, xmlReply } from './s3-call.js';
import { isoTime, parseXml, toXml } from './xml.js';

/** The checksum members of parts in XML: `ChecksumCRC32`, `ChecksumSHA256`, ... */
const checksumMember = (a: ChecksumAlgorithm) => `Checksum${a}`;

export function multipartOperations(objects: ObjectService, multipart: MultipartService, owner: Owner) {
  const person = { ID: owner.id, DisplayName: owner.displayName };
  const uploadIdOf = (c: S3Call) => c.query.get('uploadId') ?? '';

  return {
    async createMultipartUpload(c: S3Call): Promise<S3Reply> {
      const headers = readObjectHeaders(c.x.req.headers);
      const algorithm = requestedChecksumAlgorithm(c.x);
      const rawType = header(c, 'x-amz-checksum-type')?.toUpperCase();
      if (rawType !== undefined && rawType !== 'COMPOSITE' && rawType !== 'FULL_OBJECT') {
        throw invalidArgument(
          'Value for x-amz-checksum-type header is invalid.',
          'x-amz-checksum-type',
          rawType,
        );
      }
      const type: ChecksumType = (rawType as ChecksumType | undefined) ?? 'COMPOSITE';
      const u = await multipart.create(
        bucketOf(c),
        keyOf(c),
        headers,
        algorithm ? { algorithm, type } : undefined,
      );
      return xmlReply(
        toXml('InitiateMultipartUploadResult', { Bucket: u.bucket, Key: u.key, UploadId: u.uploadId }),
        200,
        algorithm ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type } : {},
      );
    },

    async uploadPart(c: S3Call): Promise<S3Reply> {
      const partNumber = partNumberOf(c);
      const body = readBodyInput(c.x);
      const part = await multipart.uploadPart(bucketOf(c), keyOf(c), uploadIdOf(c), partNumber, body);
      const headers: Record<string, string> = { etag: `"${part.etag}"` };
      if (part.checksum)
        headers[checksumHeader(part.checksum.algorithm as ChecksumAlgorithm)] = part.checksum.value;
      return { status: 200, headers };
    },

    async uploadPartCopy(c: S3Call): Promise<S3Reply> {
      const partNumber = partNumberOf(c);
      const uploadId = uploadIdOf(c);
      await multipart.upload(bucketOf(c), keyOf(c), uploadId);
      const from = parseCopySource(header(c, 'x-amz-copy-source') ?? '');
      const source = await objects.head(from.bucket, from.key);
      checkCopySourceConditions(c, source);
      const range = copyRange(header(c, 'x-amz-copy-source-range'), source.size);
      const part = await multipart.uploadPart(bucketOf(c), keyOf(c), uploadId, partNumber, {
        body: objects.read(source, range.start, range.end),
        size: range.end - range.start + 1,
      });
      return xmlReply(
        toXml('CopyPartResult', { LastModified: isoTime(part.lastModified), ETag: `"${part.etag}"` }),
      );
    },

    async completeMultipartUpload(c: S3Call): Promise<S3Reply> {
      const doc = parseXml(await readXmlBody(c), 'CompleteMultipartUpload');
      const parts = doc.Part;
      if (!Array.isArray(parts) || parts.length === 0) throw malformedXml();
      const requested: CompletedPartInput[] = parts.map((p: unknown) => {
        if (typeof p !== 'object' || p === null) throw malformedXml();
        const fields = p as Record<string, unknown>;
        const n = String(fields.PartNumber ?? '').trim();
        const etag = String(fields.ETag ?? '').trim();
        if (!/^\d+$/.test(n) || etag === '') throw malformedXml();
        const checksums: CompletedPartInput['checksums'] = {};
        for (const a of CHECKSUM_ALGORITHMS) {
          const v = fields[checksumMember(a)];
          if (typeof v === 'string') checksums[a] = v.trim();
        }
        return { partNumber: Number(n), etag, checksums };
      });
      const o = await multipart.complete(bucketOf(c), keyOf(c), uploadIdOf(c), requested, c.ctx);
      const host = header(c, 'host') ?? 'localhost';
      return xmlReply(
        toXml('CompleteMultipartUploadResult', {
          Location: `http://${host}/${o.bucket}/${urlEncode(o.key)}`,
          Bucket: o.bucket,
          Key: o.key,
          ETag: `"${o.etag}"`,
          ...(o.checksum
            ? {
                [checksumMember(o.checksum.algorithm as ChecksumAlgorithm)]: o.checksum.value,
                ChecksumType: o.checksum.type,
              }
            : {}),
        }),
        200,
        writeResultHeaders(o),
      );
    },

    async abortMultipartUpload(c: S3Call): Promise<S3Reply> {
      await multipart.abort(bucketOf(c), keyOf(c), uploadIdOf(c));
      return { status: 204 };
    },

    async listParts(c: S3Call): Promise<S3Reply> {
      const marker = Number(c.query.get('part-number-marker') ?? '0') || 0;
      const max = maxKeys(c.query.get('max-parts'), 'max-parts');
      const r = await multipart.listParts(bucketOf(c), keyOf(c), uploadIdOf(c), marker, max);
      const last = r.parts[r.parts.length - 1];
      return xmlReply(
        toXml('ListPartsResult', {
          Bucket: r.upload.bucket,
          Key: r.upload.key,
          UploadId: r.upload.uploadId,
          PartNumberMarker: marker,
          NextPartNumberMarker: last?.partNumber ?? marker,
          MaxParts: max,
          IsTruncated: r.truncated,
          Part: r.parts.map((p) => ({
            PartNumber: p.partNumber,
            LastModified: isoTime(p.lastModified),
            ETag: `"${p.etag}"`,
            Size: p.blob?.size ?? 0,
            ...(p.checksum
              ? { [checksumMember(p.checksum.algorithm as ChecksumAlgorithm)]: p.checksum.value }
              : {}),
          })),
          Initiator: person,
          Owner: person,
          StorageClass: 'STANDARD',
          ChecksumAlgorithm: r.upload.checksumAlgorithm,
          ChecksumType: r.upload.checksumAlgorithm ? r.upload.checksumType : undefined,
        }),
      );
    },

    async listMultipartUploads(c: S3Call): Promise<S3Reply> {
      const bucket = bucketOf(c);
      const uploads = await multipart.listUploads(bucket);
      return xmlReply(
        toXml('ListMultipartUploadsResult', {
          Bucket: bucket,
          KeyMarker: '',
          UploadIdMarker: '',
          MaxUploads: 1000,
          IsTruncated: false,
          Upload: uploads.map((u) => ({
            Key: u.key,
            UploadId: u.uploadId,
            Initiator: person,
            Owner: person,
            StorageClass: 'STANDARD',
            Initiated: isoTime(u.initiatedAt),
          })),
        }),
      );
    },
  };
}

function partNumberOf(c: S3Call): number {
  const raw = c.query.get('partNumber') ?? '';
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  checkPartNumber(n);
  if (n > PART_NUMBER_MAX)
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  return n;
}

/** `x-amz-copy-source-range: bytes=first-last`, inside the source; the whole source without one. */
function copyRange(raw: string | undefined, size: number): { start: number; end: number } {
  if (raw === undefined) return { start: 0, end: size - 1 };
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m) {
    throw invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      'x-amz-copy-source-range',
      raw,
    );
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > end || end >= size) {
    throw invalidArgument(
      `Range specified is not valid for source object of size: ${size}`,
      'x-amz-copy-source-range',
      raw,
    );
  }
  return { start, end };
}
