import { crc32 } from 'node:zlib';

/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), what InvokeWithResponseStream
 * answers with (lambda-reference §2.6): each message is a prelude (total length, headers length,
 * CRC32 of those 8 bytes), the headers, the payload and a CRC32 of everything before it. Headers
 * here are all strings (type 7).
 */
export function encodeEventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name, 'utf8');
      const v = Buffer.from(value, 'utf8');
      const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      h.writeUInt8(n.length, 0);
      n.copy(h, 1);
      h.writeUInt8(STRING_HEADER, 1 + n.length);
      h.writeUInt16BE(v.length, 2 + n.length);
      v.copy(h, 4 + n.length);
      return h;
    }),
  );
  const total = PRELUDE_BYTES + headerBytes.length + payload.length + CRC_BYTES;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, PRELUDE_BYTES);
  payload.copy(message, PRELUDE_BYTES + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - CRC_BYTES)), total - CRC_BYTES);
  return message;
}

/** An `event` message of the given type. */
export function encodeEvent(eventType: string, contentType: string, payload: Buffer): Buffer {
  return encodeEventMessage(
    { ':event-type': eventType, ':content-type': contentType, ':message-type': 'event' },
    payload,
  );
}

const STRING_HEADER = 7;
const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
