import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One HTTP request/response pair as the gateway hands it to a surface. */
export interface HttpExchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Raw (still percent-encoded) path, without the query. */
  path: string;
  query: URLSearchParams;
  /** Host header without port, lower-cased. */
  host: string;
  /** Sent back as `x-amzn-RequestId` (and used as the invocation id by Invoke). */
  requestId: string;
}

/** An API served on the gateway's port (Lambda, S3, health, ...). */
export interface Surface {
  readonly name: string;
  matches(x: HttpExchange): boolean;
  handle(x: HttpExchange): Promise<void>;
}

export function toExchange(req: IncomingMessage, res: ServerResponse): HttpExchange {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return {
    req,
    res,
    method: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
    host,
    requestId: randomUUID(),
  };
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/**
 * Reads a request body of at most `limit` bytes. A declared or actual larger body rejects with
 * {@link BodyTooLargeError} without buffering it.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(req);
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        discard(req);
        fail(new BodyTooLargeError(limit));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) ok(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (!failed) fail(e);
    });
  });
}

/** Drains what the client still sends (so it can read our answer), then gives up on it. */
function discard(req: IncomingMessage): void {
  req.resume();
  req.once('end', () => undefined);
}

export function sendJson(
  x: HttpExchange,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  x.res.writeHead(status, {
    'x-amzn-requestid': x.requestId,
    ...(text
      ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
      : { 'content-length': 0 }),
    ...headers,
  });
  x.res.end(text);
}
