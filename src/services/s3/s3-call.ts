import type { Readable } from 'node:stream';
import type { HttpExchange } from '../../gateway/exchange.js';
import type { RequestContext } from '../../objects/changes.js';

/** One S3 request as an operation sees it. */
export interface S3Call {
  x: HttpExchange;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  ctx: RequestContext;
}

/** An operation's answer; `body` may be a stream (GetObject). */
export interface S3Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
}

export type S3Operation = (call: S3Call) => Promise<S3Reply>;

export const xmlReply = (body: string, status = 200, headers: Record<string, string> = {}): S3Reply => ({
  status,
  headers: { 'content-type': 'application/xml', ...headers },
  body,
});

/** The bucket of a bucket- or object-level call (the dispatcher guarantees one). */
export function bucketOf(c: S3Call): string {
  if (c.bucket === undefined) throw new Error('operation needs a bucket');
  return c.bucket;
}

export function keyOf(c: S3Call): string {
  if (c.key === undefined) throw new Error('operation needs a key');
  return c.key;
}

export function header(c: S3Call, name: string): string | undefined {
  const v = c.x.req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
