import type { Readable } from 'node:stream';

/** The content type of an HTTP integration stream (`awslambda.HttpResponseStream.from`). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_BYTES = 8;
/** A prelude is a small JSON object; anything longer without the delimiter is not one. */
const MAX_PRELUDE_BYTES = 1_048_576;

export interface StreamPrelude {
  statusCode?: unknown;
  headers?: unknown;
  cookies?: unknown;
}

/**
 * Reads the JSON prelude and its 8-NUL delimiter from the front of an HTTP integration stream
 * (lambda-reference §4.5). Resolves with the prelude and the body bytes that came with it; the
 * rest of the body is what the stream still holds. `undefined` prelude: malformed or cut short.
 */
export function readPrelude(stream: Readable): Promise<{ prelude: StreamPrelude | undefined; rest: Buffer }> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const done = (prelude: StreamPrelude | undefined, rest: Buffer) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      resolve({ prelude, rest });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const at = findDelimiter(buffered);
      if (at !== -1) {
        done(parsePrelude(buffered.subarray(0, at)), buffered.subarray(at + DELIMITER_BYTES));
      } else if (buffered.length > MAX_PRELUDE_BYTES) done(undefined, Buffer.alloc(0));
    };
    // A stream that ends without the delimiter is all prelude (a body-less response).
    const onEnd = () => done(parsePrelude(buffered), Buffer.alloc(0));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onEnd);
  });
}

function findDelimiter(b: Buffer): number {
  let run = 0;
  for (let i = 0; i < b.length; i++) {
    run = b[i] === 0 ? run + 1 : 0;
    if (run === DELIMITER_BYTES) return i - DELIMITER_BYTES + 1;
  }
  return -1;
}

function parsePrelude(bytes: Buffer): StreamPrelude | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as StreamPrelude) : undefined;
  } catch {
    return undefined;
  }
}
