import { invalidRequest, S3Error } from '../../domain/s3-errors.js';

/** Longest chunk header or trailer line we accept (a size, a signature, a checksum). */
const LINE_MAX = 4096;

/**
 * Decodes an `aws-chunked` body (`Content-Encoding: aws-chunked`), as current SDKs send streams:
 *
 *     <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
 *     [<trailer name>:<value>\r\n ...]\r\n
 *
 * for `x-amz-content-sha256` of `STREAMING-UNSIGNED-PAYLOAD-TRAILER`,
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`. Chunk signatures are not verified: the
 * request's own (seed) signature is, by `gateway/sigv4-auth.ts` when keys are configured, and
 * the body's checksums are checked. Trailers (e.g. `x-amz-checksum-crc32`) land in `trailers` once the
 * body has been consumed. A body that ends early is IncompleteBody.
 */
export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  #done = false;
  #buf: Buffer = Buffer.alloc(0);
  #state: 'header' | 'data' | 'data-end' | 'trailer' = 'header';
  #remaining = 0;

  constructor(private readonly source: AsyncIterable<Buffer>) {}

  get complete(): boolean {
    return this.#done;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for await (const chunk of this.source) {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      for (;;) {
        const step = this.#step();
        if (step === undefined) break;
        if (step.length > 0) yield step;
      }
    }
    if (!this.#done) throw new S3Error('IncompleteBody');
  }

  /** Consumes what it can: data (possibly empty) to pass on, or undefined when more input is needed. */
  #step(): Buffer | undefined {
    if (this.#done) return undefined;
    if (this.#state === 'data') {
      if (this.#buf.length === 0) return undefined;
      const n = Math.min(this.#remaining, this.#buf.length);
      const data = this.#buf.subarray(0, n);
      this.#buf = this.#buf.subarray(n);
      this.#remaining -= n;
      if (this.#remaining === 0) this.#state = 'data-end';
      return data;
    }
    if (this.#state === 'data-end') {
      if (this.#buf.length < 2) return undefined;
      if (this.#buf[0] !== 0x0d || this.#buf[1] !== 0x0a)
        throw invalidRequest('Invalid chunk: missing CRLF after chunk data');
      this.#buf = this.#buf.subarray(2);
      this.#state = 'header';
      return EMPTY;
    }
    const eol = this.#buf.indexOf('\r\n');
    if (eol === -1) {
      if (this.#buf.length > LINE_MAX) throw invalidRequest('Invalid chunk: header line too long');
      return undefined;
    }
    const line = this.#buf.subarray(0, eol).toString('latin1');
    this.#buf = this.#buf.subarray(eol + 2);
    if (this.#state === 'header') this.#header(line);
    else this.#trailer(line);
    return EMPTY;
  }

  #header(line: string): void {
    const size = parseChunkSize(line);
    if (size === 0) this.#state = 'trailer';
    else {
      this.#remaining = size;
      this.#state = 'data';
    }
  }

  #trailer(line: string): void {
    if (line === '') {
      this.#done = true;
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalidRequest('Invalid chunk: malformed trailer');
    this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
}

const EMPTY = Buffer.alloc(0);

function parseChunkSize(line: string): number {
  const hex = line.split(';', 1)[0]!.trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw invalidRequest('Invalid chunk: malformed chunk size');
  return Number.parseInt(hex, 16);
}
