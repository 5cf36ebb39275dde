import { createHash } from 'node:crypto';

/** A message attribute value as SQS stores it (`BinaryValue` as bytes). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

/** `MD5OfMessageBody`: hex MD5 of the body's UTF-8 bytes. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * `MD5OfMessageAttributes` (and `MD5OfMessageSystemAttributes`) as SQS computes them: over the
 * attributes sorted by name, each written as name, data type, a transport byte (1 for string and
 * number values, 2 for binary) and the value, every string and byte run preceded by its length as
 * a 4-byte big-endian integer (SQS Developer Guide, "Calculating the MD5 message digest for
 * message attributes"). SDKs recompute it and reject a mismatch.
 */
export function md5OfAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort(byUtf8);
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const v = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(v.DataType, 'utf8')));
    if (v.BinaryValue !== undefined && v.StringValue === undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(v.BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(v.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** SQS sorts attribute names by their bytes, not by locale. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Bytes a message counts against the size limit: body plus every attribute name, type and value. */
export function messageSize(body: string, attributes: MessageAttributes): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, v] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(v.DataType, 'utf8');
    size += v.BinaryValue ? v.BinaryValue.length : Buffer.byteLength(v.StringValue ?? '', 'utf8');
  }
  return size;
}
