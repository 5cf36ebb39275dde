import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';

/** A streamed function response as it flows (InvokeWithResponseStream, RESPONSE_STREAM URLs). */
export interface StreamedResponse {
  /** The content type the function set (`application/octet-stream` unless it chose another). */
  contentType: string;
  /** The body bytes as the runtime sends them; ends when the function ends its stream. */
  body: Readable;
}

/** How a relayed stream ended: normally, with the runtime's error trailers, or over the size limit. */
export type StreamEnd =
  | { kind: 'ok' }
  | { kind: 'error'; errorType: string; payload: Buffer }
  | { kind: 'too-large' }
  | { kind: 'broken' };

const HEADER_ERROR_TYPE = 'lambda-runtime-function-error-type';
const HEADER_ERROR_BODY = 'lambda-runtime-function-error-body';

/**
 * Relays a runtime's chunked `POST /response` to a consumer as it arrives, with backpressure. When
 * the consumer goes away (its client disconnected) the rest is drained so the function still
 * finishes: a caller hanging up cancels nothing that is running. `onEnd` is called once.
 */
export function relayStreamedResponse(
  body: IncomingMessage,
  limit: number,
  onEnd: (end: StreamEnd) => void,
): StreamedResponse & { body: PassThrough } {
  const out = new PassThrough();
  let size = 0;
  let ended = false;
  const finish = (end: StreamEnd) => {
    if (ended) return;
    ended = true;
    onEnd(end);
  };
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      if (!out.destroyed) out.destroy(new Error('Function.ResponseSizeTooLarge'));
      finish({ kind: 'too-large' });
      return;
    }
    if (out.destroyed || ended) return;
    if (!out.write(chunk)) {
      body.pause();
      out.once('drain', () => body.resume());
    }
  });
  // A consumer that stops reading must not stall the function.
  out.on('close', () => body.resume());
  body.on('end', () => {
    // The bytes that arrived are good either way; an error trailer is reported by the result.
    if (!out.destroyed) out.end();
    const type = body.trailers[HEADER_ERROR_TYPE];
    if (!type) return finish({ kind: 'ok' });
    const errBody = body.trailers[HEADER_ERROR_BODY];
    finish({
      kind: 'error',
      errorType: type,
      payload: errBody ? Buffer.from(errBody, 'base64') : Buffer.from('{}'),
    });
  });
  body.on('error', () => {
    finish({ kind: 'broken' });
    if (!out.destroyed) out.destroy(new Error('the function response stream broke'));
  });
  const ct = body.headers['content-type'];
  return { contentType: typeof ct === 'string' && ct ? ct : 'application/octet-stream', body: out };
}
