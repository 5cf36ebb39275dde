import { randomBytes } from 'node:crypto';
import { SqsError } from './sqs-errors.js';

/**
 * A receipt handle names one receive of one message: the queue, the message and a random token
 * that changes on every receive (so only the latest receive can delete or extend it, as in SQS).
 * It is opaque to clients: base64 of `<queueId>:<messageSeq>:<token>`.
 */
export interface Receipt {
  queueId: number;
  seq: number;
  token: string;
}

export const newReceiptToken = () => randomBytes(12).toString('hex');

export function encodeReceipt(r: Receipt): string {
  return Buffer.from(`nimbus1:${r.queueId}:${r.seq}:${r.token}`, 'utf8').toString('base64');
}

export function decodeReceipt(handle: string): Receipt {
  const text = /^[A-Za-z0-9+/=]+$/.test(handle) ? Buffer.from(handle, 'base64').toString('utf8') : '';
  const m = /^nimbus1:(\d+):(\d+):([0-9a-f]{24})$/.exec(text);
  if (!m) {
    throw new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  }
  return { queueId: Number(m[1]), seq: Number(m[2]), token: m[3]! };
}
