import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../lib/sha256-checksum.js';
import type { HttpExchange } from './exchange.js';
import { parseV2Query, v2Signature, v2StringToSign } from './s3-sigv2-query.js';

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
  | 'expired' // the request time is too far from ours
  | 'url-expired' // a presigned URL used after its expiry
  | 'bad-query' // a presigned URL whose X-Amz-* parameters are malformed
  | 'unsigned-headers'; // a presigned URL used with x-amz-* headers its signature does not cover

export type AuthResult =
  | { ok: true; principal: AccessKey['principal'] | 'anonymous' }
  | { ok: false; failure: AuthFailure; message: string };

/** How far a request's `X-Amz-Date` may be from the server clock, as AWS allows. */
const MAX_SKEW_MS = 15 * 60_000;
/** The longest `X-Amz-Expires` SigV4 takes: 7 days. */
const MAX_PRESIGN_EXPIRES_S = 604_800;

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
    if (!signingDate) {
      return fail('expired', `Signature expired: ${parsed.amzDate} is now out of the allowed window.`);
    }
    const outOfTime = timeWindowFailure(x, parsed, signingDate, this.now());
    if (outOfTime) return outOfTime;
    // A presigned URL's signature covers only the headers it names (usually just `host`): whoever
    // holds the URL must not add `x-amz-*` headers that change what it does (`x-amz-copy-source`
    // would turn an upload URL into a copy of any object). S3 refuses them the same way.
    if (parsed.presigned && unsignedAmzHeaders(x, parsed.signedHeaders).length > 0) {
      return fail('unsigned-headers', 'There were headers present in the request which were not signed');
    }
    if (key.sessionToken !== undefined) {
      const token = x.req.headers['x-amz-security-token'] ?? x.query.get('X-Amz-Security-Token');
      if (!sameSecret(typeof token === 'string' ? token : undefined, key.sessionToken))
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

  /** Whether the request carries S3's legacy query signature (`AWSAccessKeyId` & `Signature`). */
  static hasV2QuerySignature(x: HttpExchange): boolean {
    return x.query.has('AWSAccessKeyId') && x.query.has('Signature');
  }

  /**
   * Checks an S3 URL presigned with Signature Version 2 (`s3-sigv2-query.ts`). `resource` is the
   * request path with the bucket in front (`/bucket/key`), which the S3 surface knows.
   */
  verifyS3QueryV2(x: HttpExchange, resource: string): AuthResult {
    if (!this.enforce) return { ok: true, principal: 'anonymous' };
    const parsed = parseV2Query(x);
    if (!parsed) return fail('missing', 'Missing Authentication Token');
    const key = this.#keys.get(parsed.accessKeyId);
    if (!key) return fail('unknown-key', 'The security token included in the request is invalid.');
    if (this.now() > parsed.expires * 1000) return fail('url-expired', 'Request has expired');
    if (
      key.sessionToken !== undefined &&
      !sameSecret(x.query.get('x-amz-security-token') ?? undefined, key.sessionToken)
    ) {
      return fail('unknown-key', 'The security token included in the request is invalid.');
    }
    const expected = Buffer.from(
      v2Signature(key.secretAccessKey, v2StringToSign(x, parsed.expires, resource)),
    );
    const given = Buffer.from(parsed.signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return fail(
        'bad-signature',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
    return { ok: true, principal: key.principal };
  }
}

function fail(failure: AuthFailure, message: string): AuthResult {
  return { ok: false, failure, message };
}

/** `x-amz-*` headers of the request that the signature does not cover (the payload hash aside). */
function unsignedAmzHeaders(x: HttpExchange, signedHeaders: readonly string[]): string[] {
  const signed = new Set(signedHeaders.map((h) => h.toLowerCase()));
  return Object.keys(x.req.headers).filter(
    (h) => h.startsWith('x-amz-') && h !== SHA256_HEADER && !signed.has(h),
  );
}

/** Constant-time comparison of a presented secret (a session token) with the expected one. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * A header-signed request must be within the skew of our clock; a presigned URL is good from its
 * signing time (give or take the skew) until it expires, however long after signing that is.
 */
function timeWindowFailure(
  x: HttpExchange,
  parsed: ParsedSignature,
  signingDate: Date,
  now: number,
): AuthResult | undefined {
  if (!parsed.presigned) {
    return Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS
      ? fail('expired', `Signature expired: ${parsed.amzDate} is now out of the allowed window.`)
      : undefined;
  }
  const raw = x.query.get('X-Amz-Expires') ?? '';
  const expires = /^-?\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(expires >= 0 && expires <= MAX_PRESIGN_EXPIRES_S)) {
    // S3's wording (AuthorizationQueryParametersError).
    return fail(
      'bad-query',
      Number.isNaN(expires)
        ? 'X-Amz-Expires should be a number'
        : expires < 0
          ? 'X-Amz-Expires must be non-negative'
          : `X-Amz-Expires must be less than a week (in seconds) that is; ${MAX_PRESIGN_EXPIRES_S}`,
    );
  }
  if (now > signingDate.getTime() + expires * 1000) return fail('url-expired', 'Request has expired');
  if (signingDate.getTime() - now > MAX_SKEW_MS) {
    return fail('expired', `Signature not yet current: ${parsed.amzDate} is still later than now.`);
  }
  return undefined;
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
  const headers = signedHeaderValues(x, p.signedHeaders);
  const query = queryToSign(x, p.presigned);
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
    // A presigned S3 URL signs no payload: its canonical request ends in UNSIGNED-PAYLOAD (S3 API
    // Reference, "Authenticating Requests: Using Query Parameters"), as botocore and the JS
    // presigner compute it. Given as a header neither signed nor moved into the query.
    const unsignedPayload = s3 && headers[SHA256_HEADER] === undefined;
    if (unsignedPayload) request.headers[SHA256_HEADER] = 'UNSIGNED-PAYLOAD';
    const presigned = await signer.presign(request, {
      signingDate,
      expiresIn: Number(x.query.get('X-Amz-Expires') ?? 900),
      signableHeaders: new Set(p.signedHeaders),
      ...(unsignedPayload
        ? { unsignableHeaders: new Set([SHA256_HEADER]), unhoistableHeaders: new Set([SHA256_HEADER]) }
        : {}),
    });
    return String(presigned.query?.['X-Amz-Signature'] ?? '');
  }
  const signed = await signer.sign(request, { signingDate, signableHeaders: new Set(p.signedHeaders) });
  const m = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''));
  return m ? m[1]! : '';
}

function signedHeaderValues(x: HttpExchange, names: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const v = x.req.headers[name];
    if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  return headers;
}

/** The query as signed: repeated names as lists, a presigned URL's own signature left out. */
function queryToSign(x: HttpExchange, presigned: boolean): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of x.query) {
    if (presigned && k === 'X-Amz-Signature') continue;
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return query;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const SHA256_HEADER = 'x-amz-content-sha256';

/** `20261127T101500Z` */
function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
