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
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`. Chunk signatures are not verified (Nimbus does
 * not verify signatures). Trailers (e.g. `x-amz-checksum-crc32`) land in `trailers` once the
 * body has been consumed. A body that ends early is IncompleteBody.
 */
export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  #done = false;

  constructor(private readonly source: AsyncIterable<Buffer>) {}

  get complete(): boolean {
    return this.#done;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    let buf: Buffer = Buffer.alloc(0);
    let state: 'header' | 'data' | 'data-end' | 'trailer' = 'header';
    let remaining = 0;
    for await (const chunk of this.source) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        if (this.#done) break;
        if (state === 'data') {
          if (buf.length === 0) break;
          const n = Math.min(remaining, buf.length);
          yield buf.subarray(0, n);
          buf = buf.subarray(n);
          remaining -= n;
          if (remaining === 0) state = 'data-end';
          continue;
        }
        if (state === 'data-end') {
          if (buf.length < 2) break;
          if (buf[0] !== 0x0d || buf[1] !== 0x0a)
            throw invalidRequest('Invalid chunk: missing CRLF after chunk data');
          buf = buf.subarray(2);
          state = 'header';
          continue;
        }
        const eol = buf.indexOf('\r\n');
        if (eol === -1) {
          if (buf.length > LINE_MAX) throw invalidRequest('Invalid chunk: header line too long');
          break;
        }
        const line = buf.subarray(0, eol).toString('latin1');
        buf = buf.subarray(eol + 2);
        if (state === 'header') {
          const size = parseChunkSize(line);
          if (size === 0) state = 'trailer';
          else {
            remaining = size;
            state = 'data';
          }
        } else if (line === '') {
          this.#done = true;
        } else {
          const colon = line.indexOf(':');
          if (colon <= 0) throw invalidRequest('Invalid chunk: malformed trailer');
          this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
      }
    }
    if (!this.#done) throw new S3Error('IncompleteBody');
  }
}

function parseChunkSize(line: string): number {
  const hex = line.split(';', 1)[0]!.trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw invalidRequest('Invalid chunk: malformed chunk size');
  return Number.parseInt(hex, 16);
}
