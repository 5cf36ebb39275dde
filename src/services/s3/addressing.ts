import type { HttpExchange } from '../../gateway/exchange.js';

/**
 * How S3 requests are told apart from the other APIs on the same port, and where the bucket and
 * key are in them. An S3 request is one that:
 *
 * 1. is addressed to an S3 host: `s3.localhost` (path style) or `<bucket>.s3.localhost` (virtual
 *    host style), with or without a port; or
 * 2. is signed for the `s3` service: SigV4 credential scope `<key>/<date>/<region>/s3/aws4_request`
 *    in the `Authorization` header or, for presigned URLs, the `X-Amz-Credential` query
 *    parameter. This is how the AWS CLI and SDKs reach an `--endpoint-url http://127.0.0.1:PORT`
 *    (path style: the CLI always, the SDKs because the host is an IP address).
 *
 * Unsigned path-style requests (curl, `--no-sign-request`) are served by a fallback surface tried
 * after every other API, so they never take `/20YY-MM-DD/...` (Lambda), `/nimbus/...` or
 * `/healthz`; a bucket with such a name is reachable with signed or host-style requests only.
 */
export const S3_HOST_SUFFIX = 's3.localhost';

export interface S3Address {
  /** Undefined for service-level requests (ListBuckets). */
  bucket?: string;
  /** Undefined for bucket-level requests. */
  key?: string;
  style: 'virtual-host' | 'path';
}

/** The bucket of a virtual-host-style request, `''` for the bare S3 host, undefined otherwise. */
export function hostBucket(host: string): string | undefined {
  if (host === S3_HOST_SUFFIX) return '';
  if (host.endsWith(`.${S3_HOST_SUFFIX}`)) return host.slice(0, -(S3_HOST_SUFFIX.length + 1));
  return undefined;
}

export function isS3Host(host: string): boolean {
  return hostBucket(host) !== undefined;
}

/** The SigV4 service of the request's credential scope, when it is signed. */
export function signedService(x: HttpExchange): string | undefined {
  return credentialScope(x)?.service;
}

export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Parsed from `Authorization: AWS4-HMAC-SHA256 Credential=...` or `X-Amz-Credential`. */
export function credentialScope(x: HttpExchange): CredentialScope | undefined {
  const auth = x.req.headers.authorization;
  let credential: string | undefined;
  if (typeof auth === 'string') {
    credential = /Credential=([^,\s]+)/.exec(auth)?.[1];
    // SigV2 (`AWS key:signature`): old clients; the service can only be S3.
    const v2 = /^AWS ([^:\s]+):/.exec(auth);
    if (!credential && v2) return { accessKeyId: v2[1]!, region: '', service: 's3' };
  }
  credential ??= x.query.get('X-Amz-Credential') ?? undefined;
  if (!credential) {
    const v2Key = x.query.get('AWSAccessKeyId');
    return v2Key && x.query.has('Signature') ? { accessKeyId: v2Key, region: '', service: 's3' } : undefined;
  }
  const parts = credential.split('/');
  if (parts.length < 5) return undefined;
  return { accessKeyId: parts[0]!, region: parts[2]!, service: parts[3]! };
}

export function isSigned(x: HttpExchange): boolean {
  return credentialScope(x) !== undefined || typeof x.req.headers.authorization === 'string';
}

/**
 * The bucket of a request signed for S3 and sent to `<bucket>.localhost`: what the SDKs do with
 * `endpoint: 'http://localhost:PORT'` and no `forcePathStyle` (they prefix the bucket to the
 * endpoint's host). Only signed requests are read this way, so unsigned requests for other
 * `*.localhost` names (function URLs, HTTP APIs) are never mistaken for buckets.
 */
function signedLocalhostBucket(x: HttpExchange): string | undefined {
  if (!x.host.endsWith('.localhost') || signedService(x) !== 's3') return undefined;
  return x.host.slice(0, -'.localhost'.length);
}

/** Bucket and key of a claimed request; the key is percent-decoded, `+` stays `+`. */
export function s3Address(x: HttpExchange): S3Address {
  const fromHost = hostBucket(x.host) ?? signedLocalhostBucket(x);
  const path = x.path.startsWith('/') ? x.path.slice(1) : x.path;
  if (fromHost) {
    return { bucket: fromHost, ...(path === '' ? {} : { key: decode(path) }), style: 'virtual-host' };
  }
  if (path === '') return { style: 'path' };
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decode(path), style: 'path' };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), ...(key === '' ? {} : { key: decode(key) }), style: 'path' };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
