import { invalidArgument, invalidRequest, S3Error } from '../../domain/s3-errors.js';
import { SINGLE_UPLOAD_MAX_BYTES } from '../../domain/s3-limits.js';
import type { HttpExchange } from '../../gateway/exchange.js';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  isValidChecksumValue,
  parseChecksumAlgorithm,
} from '../../objects/checksums.js';
import type { BodyInput, DeclaredChecksum } from '../../objects/object-service.js';
import { AwsChunkedDecoder } from './aws-chunked.js';

const STREAMING = /^STREAMING-/;

/**
 * The body of a PutObject or UploadPart as the object store reads it: plain (Content-Length) or
 * `aws-chunked` (decoded, trailers read at the end), with the digests the client declared:
 * `Content-MD5`, one `x-amz-checksum-<algorithm>` (header or trailer), and a hex
 * `x-amz-content-sha256`.
 */
export function readBodyInput(x: HttpExchange): BodyInput & { contentSha256?: string } {
  const h = x.req.headers;
  const contentSha256 = single(h['x-amz-content-sha256']);
  const encoding = (single(h['content-encoding']) ?? '').toLowerCase();
  const chunked =
    encoding.split(',').some((e) => e.trim() === 'aws-chunked') || STREAMING.test(contentSha256 ?? '');
  let size: number | undefined;
  let body: AsyncIterable<Buffer> = x.req;
  let decoder: AwsChunkedDecoder | undefined;
  if (chunked) {
    size = lengthHeader(h['x-amz-decoded-content-length'], 'x-amz-decoded-content-length');
    decoder = new AwsChunkedDecoder(x.req);
    body = decoder;
  } else {
    size = lengthHeader(h['content-length'], 'content-length');
  }
  if (size > SINGLE_UPLOAD_MAX_BYTES) {
    throw new S3Error('EntityTooLarge', undefined, {
      ProposedSize: size,
      MaxSizeAllowed: SINGLE_UPLOAD_MAX_BYTES,
    });
  }
  const contentMd5 = single(h['content-md5']);
  if (contentMd5 !== undefined && !isMd5(contentMd5)) throw new S3Error('InvalidDigest');
  const checksum = declaredChecksum(x, decoder);
  return {
    body,
    size,
    ...(contentMd5 === undefined ? {} : { contentMd5 }),
    ...(checksum ? { checksum } : {}),
    ...(contentSha256 && /^[0-9a-f]{64}$/.test(contentSha256) ? { contentSha256 } : {}),
  };
}

function lengthHeader(raw: string | string[] | undefined, name: string): number {
  const v = single(raw);
  if (v === undefined) throw new S3Error('MissingContentLength');
  if (!/^\d+$/.test(v)) throw invalidArgument(`Invalid ${name}`, name, v);
  return Number(v);
}

function isMd5(v: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 16;
}

/** The one additional checksum the request declares, if any. */
function declaredChecksum(
  x: HttpExchange,
  decoder: AwsChunkedDecoder | undefined,
): DeclaredChecksum | undefined {
  const h = x.req.headers;
  const present = CHECKSUM_ALGORITHMS.filter((a) => h[checksumHeader(a)] !== undefined);
  if (present.length > 1)
    throw invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  if (present.length === 1) {
    const algorithm = present[0]!;
    const value = single(h[checksumHeader(algorithm)])!;
    if (!isValidChecksumValue(algorithm, value)) {
      throw invalidRequest(`Value for ${checksumHeader(algorithm)} header is invalid.`);
    }
    return { algorithm, value: () => value };
  }
  const trailer = single(h['x-amz-trailer'])?.trim().toLowerCase();
  if (trailer && decoder) {
    const algorithm = trailer.startsWith('x-amz-checksum-')
      ? parseChecksumAlgorithm(trailer.slice('x-amz-checksum-'.length))
      : undefined;
    if (!algorithm) throw invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
    return {
      algorithm,
      value: () => {
        const v = decoder.trailers.get(trailer);
        if (v === undefined) return undefined;
        if (!isValidChecksumValue(algorithm, v))
          throw invalidRequest(`Value for ${trailer} trailing header is invalid.`);
        return v;
      },
    };
  }
  const sdkAlgorithm = single(h['x-amz-sdk-checksum-algorithm']);
  if (sdkAlgorithm && !parseChecksumAlgorithm(sdkAlgorithm)) {
    throw invalidArgument(
      'Value for x-amz-sdk-checksum-algorithm header is invalid.',
      'x-amz-sdk-checksum-algorithm',
      sdkAlgorithm,
    );
  }
  return undefined;
}

/** The checksum algorithm a CreateMultipartUpload names (`x-amz-checksum-algorithm`). */
export function requestedChecksumAlgorithm(x: HttpExchange): ChecksumAlgorithm | undefined {
  const raw = single(x.req.headers['x-amz-checksum-algorithm']);
  if (raw === undefined) return undefined;
  const a = parseChecksumAlgorithm(raw);
  if (!a)
    throw invalidArgument(
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
      'x-amz-checksum-algorithm',
      raw,
    );
  return a;
}

export function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
