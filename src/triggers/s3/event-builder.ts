import type { EmittedEventName } from './event-names.js';

/** Everything one S3 event record says (lambda-reference §7.3). */
export interface S3EventInput {
  region: string;
  eventTime: number;
  eventName: EmittedEventName;
  /** `AWS:<access key>` of the requester, or `Anonymous`. */
  principalId: string;
  sourceIp: string;
  requestId: string;
  hostId: string;
  configurationId: string;
  bucket: string;
  bucketOwnerId: string;
  /** The object key as stored (not yet encoded). */
  key: string;
  /** Absent for removals. */
  size?: number;
  eTag?: string;
  sequencer: string;
}

/**
 * The exact record S3 delivers to Lambda: field order and names as AWS sends them, the key
 * URL-encoded form style, no `size`/`eTag` on removals. Pure; the payload is `{"Records":[...]}`.
 */
export function buildS3EventRecord(e: S3EventInput) {
  const object: Record<string, string | number> = { key: encodeEventKey(e.key) };
  if (e.size !== undefined) object.size = e.size;
  if (e.eTag !== undefined) object.eTag = e.eTag;
  object.sequencer = e.sequencer;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: e.region,
    eventTime: new Date(e.eventTime).toISOString(),
    eventName: e.eventName,
    userIdentity: { principalId: e.principalId },
    requestParameters: { sourceIPAddress: e.sourceIp },
    responseElements: { 'x-amz-request-id': e.requestId, 'x-amz-id-2': e.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: e.configurationId,
      bucket: {
        name: e.bucket,
        ownerIdentity: { principalId: e.bucketOwnerId },
        arn: `arn:aws:s3:::${e.bucket}`,
      },
      object,
    },
  };
}

export function buildS3Event(e: S3EventInput): string {
  return JSON.stringify({ Records: [buildS3EventRecord(e)] });
}

/**
 * S3 event keys are URL-encoded form style ("red flower.jpg" → "red+flower.jpg"), except that
 * `/` stays as is (observed on AWS; handlers split on it). Unreserved: letters, digits, `-_.*`.
 */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.*/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A sequencer: upper-case hex that orders events for one key (compare after padding to equal
 * length). Built from the event time in milliseconds and a counter within that millisecond.
 */
export function createSequencer(): (nowMs: number) => string {
  let lastMs = 0;
  let counter = 0;
  return (nowMs) => {
    if (nowMs > lastMs) {
      lastMs = nowMs;
      counter = 0;
    } else counter++;
    const value = (BigInt(lastMs) << 20n) | BigInt(counter & 0xfffff);
    return value.toString(16).toUpperCase().padStart(18, '0');
  };
}
