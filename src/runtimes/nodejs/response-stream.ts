/**
 * The `responseStream` a streaming handler writes to (lambda-reference §4.5): a real
 * `stream.Writable` (so `pipeline(source, responseStream)` works) over the chunked
 * `POST /response`. Failing the stream sends the error as HTTP trailers.
 */
import type { ClientRequest } from 'node:http';
import { Writable } from 'node:stream';
import { InvalidStreamingOperation, toHeaderValue, toRapidError } from './errors.js';
import type { PreludeCapableStream } from './http-response-stream.js';
import { bufferFrom, jsonStringify } from './intrinsics.js';
import { ERROR_BODY_TRAILER, ERROR_TYPE_HEADER } from './protocol.js';

type WriteCallback = (error: Error | null | undefined) => void;

/** Runtime-only operation, keyed by a symbol user code does not hold. */
export const failStream = Symbol('failStream');

export class ResponseStream extends Writable implements PreludeCapableStream {
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  readonly #request: ClientRequest;
  /** Body bytes (or the prelude) are committed: the content type can no longer change. */
  #started = false;
  /** The POST has been ended, normally or with error trailers. */
  #ended = false;

  constructor(request: ClientRequest, highWaterMark: number | undefined) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.#request = request;
    // Misuse (write after end, destroy with an error) must not become an uncaught exception
    // that kills the sandbox; the invoke is failed through the trailers instead.
    this.on('error', () => {});
  }

  setContentType(contentType: string): void {
    if (this.#started) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    this.#request.setHeader('Content-Type', contentType);
  }

  /** Like RIC, anything that is not a string or bytes is written as its JSON text. */
  override write(
    chunk: unknown,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : jsonStringify(chunk);
    return super.write(data, encodingOrCallback as BufferEncoding, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#start();
    this.#request.write(chunk, (error) => callback(error ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    // An HTTP integration response that ends without a body still sends its prelude.
    this.#start();
    this.#ended = true;
    this.#request.end(() => callback(null));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#ended) {
      this[failStream](
        error ?? new InvalidStreamingOperation('Response stream was destroyed before it ended.'),
      );
    }
    callback(error);
  }

  /** Ends the POST with `Lambda-Runtime-Function-Error-Type/-Body` trailers; no-op once ended. */
  [failStream](error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const payload = toRapidError(error);
    this.#request.addTrailers({
      [ERROR_TYPE_HEADER]: toHeaderValue(payload.errorType),
      [ERROR_BODY_TRAILER]: bufferFrom(jsonStringify(payload)).toString('base64'),
    });
    this.#request.end();
    if (!this.destroyed) this.destroy();
  }

  /** Commits the headers; an HTTP integration prelude goes out before the first body byte. */
  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this._onBeforeFirstWrite?.((chunk) => this.#request.write(chunk));
  }
}
