import { S3Error } from '../domain/s3-errors.js';
import { KEY_MAX_BYTES } from '../domain/s3-limits.js';

const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * S3's naming rules for general purpose buckets: 3-63 characters of lower-case letters, digits,
 * dots and hyphens, starting and ending with a letter or digit, no `..`, not an IP address, and
 * none of the prefixes and suffixes AWS reserves.
 */
export function isValidBucketName(name: string): boolean {
  if (!BUCKET_CHARS.test(name)) return false;
  if (name.includes('..') || IP_ADDRESS.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

export function checkBucketName(name: string): void {
  if (!isValidBucketName(name)) throw new S3Error('InvalidBucketName', undefined, { BucketName: name });
}

/** Keys are any UTF-8 of 1 to 1024 bytes. */
export function checkKey(key: string): void {
  const size = Buffer.byteLength(key);
  if (size > KEY_MAX_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, { Size: size, MaxSizeAllowed: KEY_MAX_BYTES });
  }
}
