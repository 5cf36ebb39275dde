import { createHash, randomBytes } from 'node:crypto';
import { invalidArgument, malformedXml, noSuchUpload, S3Error } from '../domain/s3-errors.js';
import { LIST_MAX_KEYS, PART_MIN_BYTES, PART_NUMBER_MAX } from '../domain/s3-limits.js';
import type {
  ChecksumType,
  ObjectHeaders,
  ObjectRecord,
  PartRecord,
  StoredChecksum,
  UploadRecord,
} from '../domain/s3-object.js';
import { KeyedMutex } from '../registry/keyed-mutex.js';
import type { RequestContext } from './changes.js';
import { type ChecksumAlgorithm, checksumOf, parseChecksumAlgorithm } from './checksums.js';
import { checkKey } from './names.js';
import type { BodyInput, ObjectService } from './object-service.js';

export interface CompletedPartInput {
  partNumber: number;
  etag: string;
  /** `ChecksumCRC32` etc. given for the part, by algorithm. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/**
 * Multipart uploads: parts are stored as blobs of their own; completing an upload makes an object
 * whose segments are those blobs (no bytes are copied), with S3's `<md5 of part md5s>-<n>` ETag.
 * Commits touching one upload are serialised, so a part replaced during Complete cannot vanish
 * under it.
 */
export class MultipartService {
  readonly #mutex = new KeyedMutex();

  constructor(private readonly objects: ObjectService) {}

  get #store() {
    return this.objects.o.store;
  }

  async create(
    bucket: string,
    key: string,
    headers: ObjectHeaders,
    checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType },
  ): Promise<UploadRecord> {
    checkKey(key);
    await this.objects.bucket(bucket);
    const upload: UploadRecord = {
      uploadId: randomBytes(36).toString('base64url'),
      bucket,
      key,
      initiatedAt: this.objects.now(),
      headers,
      ...(checksum ? { checksumAlgorithm: checksum.algorithm, checksumType: checksum.type } : {}),
    };
    if (!(await this.#store.createUpload(upload))) await this.objects.bucket(bucket);
    return upload;
  }

  /** The upload, checked to belong to this bucket and key. */
  async upload(bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
    const u = await this.#store.getUpload(uploadId);
    if (!u || u.bucket !== bucket || u.key !== key) {
      await this.objects.bucket(bucket);
      throw noSuchUpload(uploadId);
    }
    return u;
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: BodyInput,
  ): Promise<PartRecord> {
    checkPartNumber(partNumber);
    await this.upload(bucket, key, uploadId);
    const written = await this.objects.writeBody(body);
    try {
      const part: PartRecord = {
        uploadId,
        partNumber,
        blob: written.blob,
        etag: written.md5.toString('hex'),
        lastModified: this.objects.now(),
        ...(written.checksum && body.checksum
          ? { checksum: { algorithm: body.checksum.algorithm, value: written.checksum } }
          : {}),
      };
      const result = await this.#mutex.run(uploadId, () => this.#store.putPart(part));
      if (!result) throw noSuchUpload(uploadId);
      await this.objects.reclaim(result.released);
      return part;
    } finally {
      await this.objects.finish(written);
    }
  }

  async listParts(
    bucket: string,
    key: string,
    uploadId: string,
    afterPart: number,
    maxParts: number,
  ): Promise<{ upload: UploadRecord; parts: PartRecord[]; truncated: boolean }> {
    const upload = await this.upload(bucket, key, uploadId);
    const limit = Math.min(Math.max(maxParts, 0), LIST_MAX_KEYS);
    const rows = await this.#store.listParts(uploadId, afterPart, limit + 1);
    return { upload, parts: rows.slice(0, limit), truncated: rows.length > limit };
  }

  listUploads(bucket: string): Promise<UploadRecord[]> {
    return this.objects.bucket(bucket).then(() => this.#store.listUploads(bucket, LIST_MAX_KEYS));
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.upload(bucket, key, uploadId);
    const result = await this.#mutex.run(uploadId, () => this.#store.abortUpload(uploadId));
    if (!result) throw noSuchUpload(uploadId);
    await this.objects.reclaim(result.released);
  }

  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    requested: readonly CompletedPartInput[],
    ctx: RequestContext,
  ): Promise<ObjectRecord> {
    const upload = await this.upload(bucket, key, uploadId);
    const bucketRecord = await this.objects.bucket(bucket);
    if (requested.length === 0) throw malformedXml();
    for (let i = 1; i < requested.length; i++) {
      if (requested[i]!.partNumber <= requested[i - 1]!.partNumber) throw new S3Error('InvalidPartOrder');
    }
    return this.#mutex.run(uploadId, async () => {
      const stored = new Map(
        (await this.#store.listParts(uploadId, 0, PART_NUMBER_MAX)).map((p) => [p.partNumber, p]),
      );
      const chosen: PartRecord[] = [];
      for (const [i, r] of requested.entries()) {
        const p = stored.get(r.partNumber);
        const etag = r.etag.replace(/^"|"$/g, '');
        const invalid = () =>
          new S3Error('InvalidPart', undefined, {
            UploadId: uploadId,
            PartNumber: r.partNumber,
            ETag: r.etag,
          });
        if (!p || p.etag !== etag) throw invalid();
        for (const [alg, value] of Object.entries(r.checksums)) {
          if (p.checksum && p.checksum.algorithm === alg && p.checksum.value !== value) throw invalid();
        }
        const size = p.blob?.size ?? 0;
        if (i < requested.length - 1 && size < PART_MIN_BYTES) {
          throw new S3Error('EntityTooSmall', undefined, {
            ProposedSize: size,
            MinSizeAllowed: PART_MIN_BYTES,
            PartNumber: p.partNumber,
            ETag: p.etag,
          });
        }
        chosen.push(p);
      }
      const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag, 'hex')));
      const segments = chosen.flatMap((p) => (p.blob ? [p.blob] : []));
      const composite = compositeChecksum(upload, chosen);
      const record: ObjectRecord = {
        bucket,
        key,
        size: segments.reduce((n, s) => n + s.size, 0),
        etag: `${createHash('md5').update(md5s).digest('hex')}-${chosen.length}`,
        lastModified: this.objects.now(),
        segments,
        partsCount: chosen.length,
        headers: upload.headers,
        ...(composite ? { checksum: composite } : {}),
      };
      const events = this.objects.eventsFor(
        bucketRecord,
        'ObjectCreated:CompleteMultipartUpload',
        record,
        ctx,
      );
      const result = await this.#store.completeUpload(uploadId, record, events);
      if (!result) throw noSuchUpload(uploadId);
      this.objects.committed(events);
      await this.objects.reclaim(result.released);
      return record;
    });
  }
}

export function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > PART_NUMBER_MAX) {
    throw invalidArgument(
      `Part number must be an integer between 1 and ${PART_NUMBER_MAX}, inclusive`,
      'partNumber',
      String(n),
    );
  }
}

/**
 * S3's composite checksum of a multipart object: the checksum of the concatenated part
 * checksums, suffixed `-<parts>`; only when the upload named an algorithm and every part has it.
 */
function compositeChecksum(upload: UploadRecord, parts: readonly PartRecord[]): StoredChecksum | undefined {
  const algorithm = upload.checksumAlgorithm && parseChecksumAlgorithm(upload.checksumAlgorithm);
  if (!algorithm || upload.checksumType === 'FULL_OBJECT') return undefined;
  if (!parts.every((p) => p.checksum?.algorithm === algorithm)) return undefined;
  const joined = Buffer.concat(parts.map((p) => Buffer.from(p.checksum!.value, 'base64')));
  return { algorithm, value: `${checksumOf(algorithm, joined)}-${parts.length}`, type: 'COMPOSITE' };
}
