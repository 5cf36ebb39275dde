/**
 * `awslambda.HttpResponseStream.from(stream, prelude)` (lambda-reference §4.5): marks a response
 * stream as an HTTP integration response; the JSON prelude and 8 NUL bytes precede the body.
 */
import { jsonStringify } from './intrinsics.js';
import { HTTP_INTEGRATION_CONTENT_TYPE } from './protocol.js';

const PRELUDE_DELIMITER_BYTES = 8;

/** What `from` needs of a stream; `response-stream.ts` implements it. */
export interface PreludeCapableStream {
  setContentType(contentType: string): void;
  /** Called once with a raw writer, before the first body byte is sent. */
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
}

// biome-ignore lint/complexity/noStaticOnlyClass: RIC exposes a class here; keep the same shape for user code.
export class HttpResponseStream {
  static from<T extends PreludeCapableStream>(stream: T, prelude: unknown): T {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    // JSON.stringify cannot produce a NUL byte, which is what makes the delimiter unambiguous.
    const metadata = jsonStringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return stream;
  }
}
