/**
 * A deliberately small HTTP/1.1 client over ONE keep-alive connection, for the Runtime API
 * (lambda-reference §4.1). Node's `http` client costs a few hundred microseconds of CPU per
 * request (request/response objects, agent bookkeeping, header validation); the Runtime API is a
 * handful of fixed exchanges with a server we know, so a direct socket with a tiny response
 * parser does the same work for a fraction of that, which is most of a warm invoke's cost.
 *
 * Requests may be pipelined: each is written at once and answered in order. While a request is
 * in flight the socket holds the event loop open (the pending `GET next` is what keeps a runtime
 * alive between invokes); an idle socket does not, so `beforeExit` still fires when a handler's
 * work drains, as with Node's agent.
 */
import net from 'node:net';
import { bufferFrom } from './intrinsics.js';

export interface HttpAnswer {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

interface Exchange {
  bytes: Buffer[];
  resolve: (answer: HttpAnswer) => void;
  reject: (error: Error) => void;
  /** Some of its answer has arrived (then it is not safe to resend). */
  started: boolean;
  retried: boolean;
}

interface Incoming {
  status: number;
  headers: Record<string, string>;
  /** Remaining bytes of a fixed-length body; -1 for chunked. */
  length: number;
  chunks: Buffer[];
  close: boolean;
}

const EMPTY = Buffer.alloc(0);
const HEAD_END = bufferFrom('\r\n\r\n');
const CRLF = bufferFrom('\r\n');

/** Where the server listens: loopback TCP, or a unix socket (Nimbus's sandboxes). */
export type Endpoint = { host: string; port: number } | { path: string };

export class HttpConnection {
  readonly #endpoint: Endpoint;
  readonly #hostHeader: string;
  #socket: net.Socket | undefined;
  /** Written, answer pending, in order. */
  #inFlight: Exchange[] = [];
  /** Answers completed on the current socket. */
  #served = 0;
  #buffer: Buffer = EMPTY;
  #incoming: Incoming | undefined;
  #corked = false;

  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
    this.#hostHeader = 'path' in endpoint ? 'localhost' : `${endpoint.host}:${endpoint.port}`;
  }

  request(
    method: string,
    path: string,
    headers: Record<string, string | number> = {},
    body?: string | Buffer,
  ): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? bufferFrom(body) : body;
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.#hostHeader}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    if (payload !== undefined) head += `Content-Length: ${payload.length}\r\n`;
    head += '\r\n';
    const bytes = payload && payload.length > 0 ? [bufferFrom(head), payload] : [bufferFrom(head)];
    return new Promise((resolve, reject) => {
      this.#send({ bytes, resolve, reject, started: false, retried: false });
    });
  }

  /** Runs `write` with the socket corked, so the requests it makes leave in one segment. */
  batch(write: () => void): void {
    const socket = this.#socket ?? this.#connect();
    socket.cork();
    this.#corked = true;
    try {
      write();
    } finally {
      this.#corked = false;
      socket.uncork();
    }
  }

  close(): void {
    this.#socket?.destroy();
  }

  #send(exchange: Exchange): void {
    const socket = this.#socket ?? this.#connect();
    this.#inFlight.push(exchange);
    socket.ref();
    if (exchange.bytes.length === 1 || this.#corked) {
      for (const b of exchange.bytes) socket.write(b);
    } else {
      socket.cork();
      for (const b of exchange.bytes) socket.write(b);
      socket.uncork();
    }
  }

  #connect(): net.Socket {
    const e = this.#endpoint;
    const socket =
      'path' in e
        ? net.connect({ path: e.path })
        : net.connect({ host: e.host, port: e.port, noDelay: true });
    this.#socket = socket;
    this.#served = 0;
    this.#buffer = EMPTY;
    this.#incoming = undefined;
    let failure: Error | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (this.#socket === socket) this.#onData(chunk);
    });
    socket.on('error', (error) => {
      failure = error;
    });
    socket.on('close', () => this.#onClose(socket, failure));
    return socket;
  }

  #onClose(socket: net.Socket, error: Error | undefined): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const pending = this.#inFlight;
    this.#inFlight = [];
    const reused = this.#served > 0;
    for (const exchange of pending) {
      // Node's advice for keep-alive: a request the server never began to answer on a reused
      // connection it closed is safe to send again, once.
      if (reused && !exchange.started && !exchange.retried) {
        exchange.retried = true;
        this.#send(exchange);
      } else {
        exchange.reject(error ?? new Error('the Runtime API closed the connection'));
      }
    }
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const first = this.#inFlight[0];
    if (first) first.started = true;
    try {
      while (this.#parse()) {
        // one answer completed; look for the next
      }
    } catch (error) {
      this.#socket?.destroy(error as Error);
    }
  }

  /** Consumes one complete answer from the buffer; false when more bytes are needed. */
  #parse(): boolean {
    let incoming = this.#incoming;
    if (!incoming) {
      const end = this.#buffer.indexOf(HEAD_END);
      if (end === -1) return false;
      incoming = parseHead(this.#buffer.toString('latin1', 0, end));
      this.#buffer = this.#buffer.subarray(end + 4);
      this.#incoming = incoming;
    }
    if (incoming.length >= 0) {
      if (this.#buffer.length < incoming.length) return false;
      incoming.chunks.push(this.#buffer.subarray(0, incoming.length));
      this.#buffer = this.#buffer.subarray(incoming.length);
    } else if (!this.#readChunks(incoming)) {
      return false;
    }
    this.#complete(incoming);
    return true;
  }

  /** Chunked transfer coding; true once the last chunk and the trailer section are in. */
  #readChunks(incoming: Incoming): boolean {
    for (;;) {
      const lineEnd = this.#buffer.indexOf(CRLF);
      if (lineEnd === -1) return false;
      const size = Number.parseInt(this.#buffer.toString('latin1', 0, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunked response from the Runtime API');
      if (size === 0) {
        // The trailer section (ignored) ends with an empty line.
        const after = lineEnd + 2;
        if (this.#buffer.length < after + 2) return false;
        let end = after + 2;
        if (this.#buffer[after] !== 0x0d || this.#buffer[after + 1] !== 0x0a) {
          const blank = this.#buffer.indexOf(HEAD_END, after);
          if (blank === -1) return false;
          end = blank + 4;
        }
        this.#buffer = this.#buffer.subarray(end);
        return true;
      }
      const start = lineEnd + 2;
      if (this.#buffer.length < start + size + 2) return false;
      incoming.chunks.push(this.#buffer.subarray(start, start + size));
      this.#buffer = this.#buffer.subarray(start + size + 2);
    }
  }

  #complete(incoming: Incoming): void {
    this.#incoming = undefined;
    this.#served++;
    const exchange = this.#inFlight.shift();
    const next = this.#inFlight[0];
    if (next && this.#buffer.length > 0) next.started = true;
    if (this.#inFlight.length === 0) this.#socket?.unref();
    const body =
      incoming.chunks.length === 1 ? bufferFrom(incoming.chunks[0]!) : Buffer.concat(incoming.chunks);
    if (incoming.close) {
      // The server ends the connection after this answer; later requests need a new one.
      const socket = this.#socket;
      this.#socket = undefined;
      const rest = this.#inFlight;
      this.#inFlight = [];
      socket?.destroy();
      for (const pending of rest) this.#send(pending);
    }
    exchange?.resolve({ status: incoming.status, headers: incoming.headers, body });
  }
}

function parseHead(head: string): Incoming {
  const lines = head.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!statusLine) throw new Error(`malformed response from the Runtime API: ${lines[0]}`);
  const status = Number(statusLine[1]);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const chunked = /\bchunked\b/i.test(headers['transfer-encoding'] ?? '');
  const declared = headers['content-length'];
  const noBody = status === 204 || status === 304 || status < 200;
  const length = chunked ? -1 : noBody || declared === undefined ? 0 : Number(declared);
  if (!Number.isInteger(length) || length < -1)
    throw new Error('invalid Content-Length from the Runtime API');
  return { status, headers, length, chunks: [], close: /\bclose\b/i.test(headers.connection ?? '') };
}
