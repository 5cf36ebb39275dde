import { S3Client } from '@aws-sdk/client-s3';
import { TEST_CREDENTIALS } from './server.js';

/** An S3 client for a Nimbus endpoint (path style follows from the IP address in the URL). */
export function s3Client(
  endpoint: string,
  extra: Partial<ConstructorParameters<typeof S3Client>[0]> = {},
): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    ...extra,
  });
}

/** Deterministic pseudo-random bytes (fast; no crypto needed for test data). */
export function testBytes(size: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
