import { randomBytes } from 'node:crypto';
import { newTraceRoot } from '../../invoke/trace-header.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random lower-case alphanumeric id, the shape of function URL ids (32) and API ids (10). */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/** API Gateway's request ids look like `LV7fzho-PHcEJPw=`. */
export function apiGatewayRequestId(): string {
  return `${randomBytes(11).toString('base64url').slice(0, 15)}=`;
}

/** `Root=1-<8 hex epoch seconds>-<24 hex>`, the X-Ray trace header AWS front doors add. */
export function traceHeader(epochMs: number): string {
  return `Root=${newTraceRoot(epochMs)}`;
}
