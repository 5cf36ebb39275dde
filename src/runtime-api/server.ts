import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_TYPE_PATTERN, HEADERS, PATHS, STREAMING_RESPONSE_MODE } from './protocol.js';

/** An event handed to the runtime through `GET /runtime/invocation/next`. */
export interface DeliveredInvocation {
  requestId: string;
  /** Epoch ms. */
  deadlineMs: number;
  invokedFunctionArn: string;
  payload: Buffer;
  traceId?: string;
  /** JSON text. */
  clientContext?: string;
  /** JSON text. */
  cognitoIdentity?: string;
  tenantId?: string;
}

export type PostResult = 'accepted' | 'unknown-request' | 'invalid-state';

/** The sandbox side of the Runtime API; the server only parses and answers HTTP. */
export interface RuntimeApiDelegate {
  /** The runtime asks for work; `deliver` is called once an invocation is assigned. Returns a cancel function. */
  awaitNext(deliver: (inv: DeliveredInvocation) => void): () => void;
  /** `handlerMs`: the runtime's own measure of the invoke, when it sends one (Nimbus's does). */
  response(requestId: string, body: Buffer, contentType: string | undefined, handlerMs?: number): PostResult;
  /** A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`); the delegate consumes `body`. */
  streamedResponse(requestId: string, body: IncomingMessage): PostResult;
  /** The runtime tried to post more than `maxResponseBytes`. */
  responseTooLarge(requestId: string): PostResult;
  error(requestId: string, errorType: string, body: Buffer, handlerMs?: number): PostResult;
  initError(errorType: string, body: Buffer): PostResult;
  /**
   * Offered the `202` of an accepted outcome. A delegate that already holds the runtime's next
   * `GET next` (pipelined behind the POST) may keep it and call `ack` when it hands out the next
   * invocation: the runtime then reads both in one wakeup instead of two. Returns whether it kept
   * it; a runtime that waits for the `202` before asking for more is answered at once.
   */
  deferAcknowledgement?(ack: () => void): boolean;
}

export interface RuntimeApiServerOptions {
  host: string;
  maxResponseBytes: number;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const OK_BODY = '{"status":"OK"}';
/** Error bodies are small; anything beyond this is truncated when read. */
const MAX_ERROR_BODY_BYTES = 1_048_576;

/**
 * One sandbox's Runtime API endpoint (`AWS_LAMBDA_RUNTIME_API`), of its own, so a runtime can only
 * ever talk about its own invocations: a unix socket only its sandbox can see (Nimbus's sandboxes),
 * or a loopback port.
 */
export class RuntimeApiServer {
  readonly #server: Server;
  #address?: string;
  /** The `Host` (without port) every request must name, for loopback endpoints; none when unset. */
  #requiredHost?: string;

  constructor(
    private readonly delegate: RuntimeApiDelegate,
    private readonly options: RuntimeApiServerOptions,
  ) {
    this.#server = createServer({ keepAlive: true, noDelay: true }, (req, res) => this.#route(req, res));
    this.#server.keepAliveTimeout = 0;
    this.#server.requestTimeout = 0;
    this.#server.headersTimeout = 0;
  }

  /** `host:port`, or the socket path when listening on a unix socket. */
  get address(): string {
    if (!this.#address) throw new Error('runtime API server is not listening');
    return this.#address;
  }

  /**
   * Listens on loopback TCP (a free port), or on a unix socket at `socketPath`; resolves with
   * `host:port` or the path.
   */
  listen(socketPath?: string): Promise<string> {
    return new Promise((ok, fail) => {
      this.#server.once('error', fail);
      const listening = () => {
        this.#server.off('error', fail);
        const a = this.#server.address();
        this.#address =
          typeof a === 'string' ? a : `${(a as AddressInfo).address}:${(a as AddressInfo).port}`;
        ok(this.#address);
      };
      if (socketPath !== undefined) this.#server.listen(socketPath, listening);
      else this.#server.listen(0, this.options.host, listening);
    });
  }

  /**
   * Serves only requests whose `Host` names this endpoint: a loopback port is visible to every
   * process on the host network (even in /proc/net/tcp), but the host name is known only inside
   * the sandbox, which resolves it through an /etc/hosts of its own.
   */
  requireHost(hostName: string): void {
    this.#requiredHost = hostName.toLowerCase();
  }

  close(): void {
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (this.#requiredHost && host !== this.#requiredHost) {
      req.resume();
      res.writeHead(404, JSON_TYPE).end(JSON.stringify({ errorMessage: 'Not found', errorType: 'NotFound' }));
      return;
    }
    if (req.method === 'GET' && url === PATHS.next) {
      this.#next(req, res);
      return;
    }
    if (req.method === 'POST' && url === PATHS.initError) {
      void readBody(req, MAX_ERROR_BODY_BYTES).then(({ body }) =>
        answer(res, this.delegate.initError(errorType(req), body)),
      );
      return;
    }
    if (req.method === 'POST' && url.startsWith(PATHS.invocationPrefix)) {
      const rest = url.slice(PATHS.invocationPrefix.length);
      const slash = rest.indexOf('/');
      const requestId = safeDecode(rest.slice(0, slash));
      const action = rest.slice(slash + 1);
      if (slash > 0 && action === 'response') {
        this.#response(requestId, req, res);
        return;
      }
      if (slash > 0 && action === 'error') {
        void readBody(req, MAX_ERROR_BODY_BYTES).then(({ body }) =>
          this.#acknowledge(res, this.delegate.error(requestId, errorType(req), body, handlerMs(req))),
        );
        return;
      }
    }
    // Extensions, Logs and Telemetry subscriptions are answered harmlessly so agents do not crash.
    if (req.method === 'PUT' && /^\/20\d\d-\d\d-\d\d\/(logs|telemetry)$/.test(url)) {
      req.resume();
      res.writeHead(200, JSON_TYPE).end('OK');
      return;
    }
    req.resume();
    res.writeHead(404, JSON_TYPE).end(JSON.stringify({ errorMessage: 'Not found', errorType: 'NotFound' }));
  }

  #acknowledge(res: ServerResponse, result: PostResult): void {
    if (result === 'accepted' && this.delegate.deferAcknowledgement?.(() => answer(res, result))) return;
    answer(res, result);
  }

  #next(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    let delivered = false;
    const cancel = this.delegate.awaitNext((inv) => {
      delivered = true;
      writeInvocation(res, inv);
    });
    // A runtime that goes away while waiting must not be handed an invocation.
    if (!delivered) res.once('close', () => !res.writableFinished && cancel());
  }

  #response(requestId: string, req: IncomingMessage, res: ServerResponse): void {
    const mode = req.headers[HEADERS.responseMode];
    if (mode !== undefined) {
      if (mode !== STREAMING_RESPONSE_MODE) {
        req.resume();
        res.writeHead(400, JSON_TYPE).end(
          JSON.stringify({
            errorMessage: `Invalid function response mode: ${String(mode)}`,
            errorType: 'InvalidFunctionResponseMode',
          }),
        );
        return;
      }
      const result = this.delegate.streamedResponse(requestId, req);
      if (result !== 'accepted') req.resume();
      req.once('end', () => answer(res, result));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > this.options.maxResponseBytes) {
      req.resume();
      tooLarge(res, this.delegate.responseTooLarge(requestId));
      return;
    }
    void readBody(req, this.options.maxResponseBytes).then(({ body, truncated }) => {
      if (truncated) tooLarge(res, this.delegate.responseTooLarge(requestId));
      else {
        const result = this.delegate.response(requestId, body, req.headers['content-type'], handlerMs(req));
        this.#acknowledge(res, result);
      }
    });
  }
}

function writeInvocation(res: ServerResponse, inv: DeliveredInvocation): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(inv.payload.length),
    [HEADERS.requestId]: inv.requestId,
    [HEADERS.deadlineMs]: String(inv.deadlineMs),
    [HEADERS.invokedFunctionArn]: inv.invokedFunctionArn,
  };
  if (inv.traceId) headers[HEADERS.traceId] = inv.traceId;
  if (inv.clientContext) headers[HEADERS.clientContext] = inv.clientContext;
  if (inv.cognitoIdentity) headers[HEADERS.cognitoIdentity] = inv.cognitoIdentity;
  if (inv.tenantId) headers[HEADERS.tenantId] = inv.tenantId;
  res.writeHead(200, headers).end(inv.payload);
}

function handlerMs(req: IncomingMessage): number | undefined {
  const raw = req.headers[HEADERS.handlerMs];
  const ms = typeof raw === 'string' ? Number(raw) : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function errorType(req: IncomingMessage): string {
  const raw = req.headers[HEADERS.functionErrorType];
  const value = typeof raw === 'string' ? raw : '';
  if (ERROR_TYPE_PATTERN.test(value)) return value;
  return value.startsWith('Function.') ? 'Function.Unknown' : value || 'Runtime.Unknown';
}

function answer(res: ServerResponse, result: PostResult): void {
  if (res.headersSent) return;
  if (result === 'accepted') {
    res.writeHead(202, JSON_TYPE).end(OK_BODY);
  } else if (result === 'unknown-request') {
    res
      .writeHead(400, JSON_TYPE)
      .end(JSON.stringify({ errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' }));
  } else {
    res.writeHead(403, JSON_TYPE).end(
      JSON.stringify({
        errorMessage: 'State transition is not allowed',
        errorType: 'InvalidStateTransition',
      }),
    );
  }
}

function tooLarge(res: ServerResponse, result: PostResult): void {
  if (result !== 'accepted') {
    answer(res, result);
    return;
  }
  res.writeHead(413, JSON_TYPE).end(
    JSON.stringify({
      errorMessage: 'Exceeded maximum allowed payload size',
      errorType: 'RequestEntityTooLarge',
    }),
  );
}

/** Reads a body up to `limit` bytes; beyond that the rest is drained and `truncated` is set. */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((ok) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    req.on('data', (c: Buffer) => {
      if (truncated) return;
      size += c.length;
      if (size > limit) {
        truncated = true;
        chunks.length = 0;
      } else chunks.push(c);
    });
    req.on('end', () => ok({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), truncated }));
    req.on('error', () => ok({ body: Buffer.alloc(0), truncated: true }));
  });
}
