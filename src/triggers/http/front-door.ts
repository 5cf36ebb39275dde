import { SYNC_PAYLOAD_MAX_BYTES } from '../../domain/limits.js';
import { BodyTooLargeError, type HttpExchange, readRequestBody } from '../../gateway/exchange.js';
import type { Logger } from '../../observability/logger.js';
import type { FrontDoorResponse } from './front-door-responses.js';
import type { HttpResult } from './response-mapping.js';

/**
 * What both front doors (function URLs, HTTP APIs) do around an invocation: read the body within
 * Lambda's limit, write results and their own answers, and note clients that hang up (which
 * cancels nothing: the invocation runs to its end and is metered).
 */

/** The request body, or `undefined` when it is over the synchronous payload limit. */
export async function readBodyWithinLimit(x: HttpExchange): Promise<Buffer | undefined> {
  try {
    return await readRequestBody(x.req, SYNC_PAYLOAD_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return undefined;
    throw e;
  }
}

export function sendFrontDoor(
  x: HttpExchange,
  r: FrontDoorResponse,
  headers: readonly (readonly [string, string])[] = [],
): void {
  if (x.res.headersSent || x.res.destroyed) return;
  const body = Buffer.from(r.body);
  x.res.writeHead(
    r.status,
    rawHeaders([['content-type', r.contentType], ['content-length', String(body.length)], ...headers]),
  );
  x.res.end(body);
}

/** Writes a mapped function result; `content-length` is always ours, never the function's. */
export function sendResult(
  x: HttpExchange,
  result: HttpResult,
  headers: readonly (readonly [string, string])[],
): void {
  if (x.res.headersSent || x.res.destroyed) return;
  const out = result.headers.filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase()));
  out.push(...(headers as [string, string][]), ['content-length', String(result.body.length)]);
  x.res.writeHead(result.status, rawHeaders(out));
  x.res.end(x.req.method === 'HEAD' ? undefined : result.body);
}

/** Headers a function may not set: the server frames the response itself. */
export const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** Logs a client that closes its connection before the answer; the invocation is not cancelled. */
export function noteHangUp(x: HttpExchange, log: Logger, what: Record<string, unknown>): void {
  x.res.once('close', () => {
    if (!x.res.writableFinished) {
      log.info(
        { ...what, requestId: x.requestId },
        'client closed the connection before the response was complete; the invocation runs to its end',
      );
    }
  });
}

/** Node's `writeHead` takes repeated names as a flat `[name, value, name, value]` list. */
export function rawHeaders(pairs: readonly (readonly [string, string])[]): string[] {
  const out: string[] = [];
  for (const [k, v] of pairs) {
    // A value with a line break would split the header; drop it rather than inject.
    if (/[\r\n]/.test(v) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) continue;
    out.push(k, v);
  }
  return out;
}
