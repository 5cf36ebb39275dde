import { createHmac } from 'node:crypto';
import type { HttpExchange } from './exchange.js';

/**
 * S3's legacy query-string authentication (Signature Version 2): `?AWSAccessKeyId=..&Expires=..
 * &Signature=..`. boto3 presigns S3 URLs this way by default in the regions that still take it
 * (us-east-1 among them: botocore `client.py` `_default_s3_presign_to_sigv2`, in 1.29 as in 1.43)
 * unless the client is configured with `signature_version='s3v4'`, so a server that knows only
 * SigV4 refuses every `generate_presigned_url` a default client makes.
 * Amazon S3 developer guide, "Signing and authenticating REST requests" (query string request
 * authentication alternative).
 */

/** Sub-resources that are part of the signed resource, as S3 and botocore's `HmacV1Auth` list them. */
const SIGNED_SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'defaultObjectAcl',
  'delete',
  'inventory',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'partNumber',
  'policy',
  'replication',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'select',
  'select-type',
  'storageClass',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

export interface V2QuerySignature {
  accessKeyId: string;
  signature: string;
  /** Epoch seconds after which the URL is refused. */
  expires: number;
}

/** The V2 parameters of a presigned URL, if it has them all. */
export function parseV2Query(x: HttpExchange): V2QuerySignature | undefined {
  const accessKeyId = x.query.get('AWSAccessKeyId');
  const signature = x.query.get('Signature');
  const expires = x.query.get('Expires');
  if (!accessKeyId || !signature || expires === null || !/^\d{1,12}$/.test(expires)) return undefined;
  return { accessKeyId, signature, expires: Number(expires) };
}

/**
 * The string S3 signs: verb, Content-MD5, Content-Type, Expires, the `x-amz-*` headers (those a
 * presigner moved into the query count as headers), then the resource. `resource` is the path as
 * sent with the bucket in front (`/bucket/key`), whatever the addressing style.
 */
export function v2StringToSign(x: HttpExchange, expires: number, resource: string): string {
  const header = (name: string) => {
    const v = x.req.headers[name];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
  };
  const amz = new Map<string, string>();
  for (const [name, v] of Object.entries(x.req.headers)) {
    if (name.startsWith('x-amz-') && v !== undefined) {
      amz.set(name, (Array.isArray(v) ? v : [v]).map((s) => s.trim()).join(','));
    }
  }
  for (const [name, v] of x.query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !amz.has(lower)) amz.set(lower, v.trim());
  }
  const amzLines = [...amz.keys()].sort().map((k) => `${k}:${amz.get(k)}\n`);
  return (
    `${x.method.toUpperCase()}\n${header('content-md5')}\n${header('content-type')}\n${expires}\n` +
    `${amzLines.join('')}${resource}${signedSubresources(x)}`
  );
}

/** `?a&b=v` of the signed sub-resources present, sorted, values percent-decoded. */
function signedSubresources(x: HttpExchange): string {
  const url = x.req.url ?? '';
  const raw = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const parts: [string, string][] = [];
  for (const item of raw.split('&')) {
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq);
    if (!SIGNED_SUBRESOURCES.has(name)) continue;
    parts.push([name, eq === -1 ? name : `${name}=${safeDecode(item.slice(eq + 1))}`]);
  }
  if (parts.length === 0) return '';
  parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `?${parts.map((p) => p[1]).join('&')}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** base64 HMAC-SHA1 of the string to sign. */
export function v2Signature(secretAccessKey: string, stringToSign: string): string {
  return createHmac('sha1', secretAccessKey).update(stringToSign, 'utf8').digest('base64');
}
