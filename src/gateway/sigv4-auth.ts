import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../lib/sha256-checksum.js';
import type { HttpExchange } from './exchange.js';

/** A key pair Nimbus accepts. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Required in the request (`X-Amz-Security-Token`) when set. */
  sessionToken?: string;
  /** Who this is, for logs and authorisation decisions. */
  principal: 'admin' | 'function';
}

export type AuthFailure =
  | 'missing' // no signature at all
  | 'unknown-key' // an access key id Nimbus does not know
  | 'bad-signature' // the signature does not match
  | 'expired'; // the request time is too far from ours

export type AuthResult =
  | { ok: true; principal: AccessKey['principal'] | 'anonymous' }
  | { ok: false; failure: AuthFailure; message: string };

/** How far a request's `X-Amz-Date` may be from the server clock, as AWS allows. */
const MAX_SKEW_MS = 15 * 60_000;

const AUTH_HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

interface ParsedSignature {
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presigned: boolean;
}

/**
 * Verifies AWS Signature Version 4 on incoming requests, recomputing the signature with the
 * client's own signed headers, region and service (`@smithy/signature-v4`, the signer the AWS SDKs
 * use). With `enforce` off (the loopback default without configured keys), any request passes,
 * signed or not, as local AWS emulators do.
 */
export class SigV4Authenticator {
  readonly #keys = new Map<string, AccessKey>();

  constructor(
    keys: readonly AccessKey[],
    readonly enforce: boolean,
    private readonly now: () => number = Date.now,
  ) {
    for (const k of keys) this.#keys.set(k.accessKeyId, k);
  }

  /** Whether the request carries a signature at all (header or presigned query). */
  static isSigned(x: HttpExchange): boolean {
    return (
      x.req.headers.authorization?.startsWith('AWS4-HMAC-SHA256') === true || x.query.has('X-Amz-Signature')
    );
  }

  /** The SigV4 service name a request was signed for (`lambda`, `s3`, `sqs`, ...), if signed. */
  static signedService(x: HttpExchange): string | undefined {
    const auth = x.req.headers.authorization;
    const credential = auth
      ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth)?.[1]
      : x.query.get('X-Amz-Credential')?.split('/')[3];
    return credential ?? undefined;
  }

  /**
   * Checks the request. `payload` is the body: its SHA-256 is part of the signature unless the
   * client sent `X-Amz-Content-Sha256` (S3 always does), so callers of other services must pass it.
   */
  async verify(x: HttpExchange, payload?: Buffer): Promise<AuthResult> {
    if (!this.enforce) return { ok: true, principal: 'anonymous' };
    const parsed = parseSignature(x);
    if (!parsed) return fail('missing', 'Missing Authentication Token');
    const key = this.#keys.get(parsed.accessKeyId);
    if (!key) return fail('unknown-key', 'The security token included in the request is invalid.');
    const signingDate = parseAmzDate(parsed.amzDate);
    if (!signingDate || Math.abs(this.now() - signingDate.getTime()) > MAX_SKEW_MS) {
      return fail('expired', `Signature expired: ${parsed.amzDate} is now out of the allowed window.`);
    }
    if (key.sessionToken !== undefined) {
      const token = x.req.headers['x-amz-security-token'] ?? x.query.get('X-Amz-Security-Token');
      if (token !== key.sessionToken)
        return fail('unknown-key', 'The security token included in the request is invalid.');
    }
    const declared = header(x.req.headers, 'x-amz-content-sha256');
    if (payload !== undefined && declared !== undefined && /^[0-9a-f]{64}$/.test(declared)) {
      // The signature covers the declared hash; the body must match it.
      if (createHash('sha256').update(payload).digest('hex') !== declared) {
        return fail(
          'bad-signature',
          'The provided x-amz-content-sha256 header does not match what was computed.',
        );
      }
    }
    const expected = await computeSignature(x, parsed, key, signingDate, payload);
    const a = Buffer.from(expected);
    const b = Buffer.from(parsed.signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return fail(
        'bad-signature',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    return { ok: true, principal: key.principal };
  }
}

function fail(failure: AuthFailure, message: string): AuthResult {
  return { ok: false, failure, message };
}

function parseSignature(x: HttpExchange): ParsedSignature | undefined {
  const auth = x.req.headers.authorization;
  if (auth) {
    const m = AUTH_HEADER.exec(auth);
    const amzDate = header(x.req.headers, 'x-amz-date') ?? '';
    if (!m) return undefined;
    return {
      accessKeyId: m[1]!,
      region: m[3]!,
      service: m[4]!,
      signedHeaders: m[5]!.split(';'),
      signature: m[6]!,
      amzDate,
      presigned: false,
    };
  }
  const signature = x.query.get('X-Amz-Signature');
  const credential = x.query.get('X-Amz-Credential')?.split('/');
  if (!signature || !credential || credential.length !== 5) return undefined;
  return {
    accessKeyId: credential[0]!,
    region: credential[2]!,
    service: credential[3]!,
    signedHeaders: (x.query.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
    signature,
    amzDate: x.query.get('X-Amz-Date') ?? '',
    presigned: true,
  };
}

async function computeSignature(
  x: HttpExchange,
  p: ParsedSignature,
  key: AccessKey,
  signingDate: Date,
  payload: Buffer | undefined,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of p.signedHeaders) {
    const v = x.req.headers[name];
    if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of x.query) {
    if (p.presigned && k === 'X-Amz-Signature') continue;
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const s3 = p.service === 's3';
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: p.region,
    service: p.service,
    sha256: Sha256,
    // S3 signs the path as sent; every other service double-encodes it.
    uriEscapePath: !s3,
    applyChecksum: false,
  });
  const request = new HttpRequest({
    method: x.method,
    protocol: 'http:',
    hostname: (x.req.headers.host ?? '').replace(/:\d+$/, ''),
    path: x.path,
    query,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  if (p.presigned) {
    const presigned = await signer.presign(request, {
      signingDate,
      expiresIn: Number(x.query.get('X-Amz-Expires') ?? 900),
      signableHeaders: new Set(p.signedHeaders),
    });
    return String(presigned.query?.['X-Amz-Signature'] ?? '');
  }
  const signed = await signer.sign(request, { signingDate, signableHeaders: new Set(p.signedHeaders) });
  const m = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''));
  return m ? m[1]! : '';
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `20261127T101500Z` */
function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
