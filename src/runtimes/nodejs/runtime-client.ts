/**
 * Client of the Lambda Runtime API (lambda-reference §4.1). Everything goes over one keep-alive
 * connection (`http-connection.ts`), like RIC's single socket. After posting an invoke's outcome
 * the client asks for the next invocation in the same write (HTTP pipelining): the runtime always
 * does that next, and one segment instead of two saves the platform a wakeup per invoke.
 * Crash and init-error reports use a connection of their own, because the shared one may be
 * holding a pending `GET next`. Streaming responses live in `streaming-client.ts`.
 */
import { toHeaderValue, toRapidError } from './errors.js';
import { type Endpoint, type HttpAnswer, HttpConnection } from './http-connection.js';
import { jsonStringify } from './intrinsics.js';
import { ERROR_TYPE_HEADER, HANDLER_MS_HEADER, INVOKE_HEADERS, PATHS } from './protocol.js';

export interface Invocation {
  requestId: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * `AWS_LAMBDA_RUNTIME_API` is `host:port` on AWS. Nimbus's sandboxes get `unix:<path>`: a unix
 * socket only that sandbox can see, so no other sandbox can reach its Runtime API.
 */
export function parseRuntimeApi(value: string): Endpoint {
  if (value.startsWith('unix:')) return { path: value.slice('unix:'.length) };
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(colon + 1)) };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * 4xx answers to a POST (unknown id, already answered, too large) are the platform's to report
 * to the caller; 5xx means the runtime should exit.
 */
function checkPosted(path: string, answer: HttpAnswer): void {
  if (answer.status >= 500) throw new Error(`Runtime API answered ${answer.status} to POST ${path}`);
}

export class RuntimeClient {
  readonly endpoint: Endpoint;
  readonly #connection: HttpConnection;
  /** A `GET next` already sent behind the last outcome. */
  #nextAnswer: Promise<HttpAnswer> | undefined;
  /** When the current invocation arrived (performance.now()). */
  #receivedAt = 0;

  constructor(runtimeApi: string) {
    this.endpoint = parseRuntimeApi(runtimeApi);
    this.#connection = new HttpConnection(this.endpoint);
  }

  /** Blocks, with no timeout, until the platform hands over an invocation. */
  async nextInvocation(): Promise<Invocation> {
    const pending = this.#nextAnswer ?? this.#connection.request('GET', PATHS.next);
    this.#nextAnswer = undefined;
    const answer = await pending;
    this.#receivedAt = performance.now();
    if (answer.status !== 200) {
      throw new Error(`Runtime API answered ${answer.status} to GET ${PATHS.next}: ${answer.body}`);
    }
    const requestId = answer.headers[INVOKE_HEADERS.requestId];
    if (typeof requestId !== 'string' || requestId === '') {
      throw new Error('invocation id is missing or invalid');
    }
    return { requestId, headers: answer.headers, body: answer.body.toString('utf8') };
  }

  postInvocationResponse(requestId: string, body: string): Promise<void> {
    return this.#postThenNext(PATHS.response(requestId), body, JSON_HEADERS);
  }

  /** `dedicatedConnection` is for crash reports, which must not queue behind a pending `GET next`. */
  postInvocationError(requestId: string, error: unknown, dedicatedConnection = false): Promise<void> {
    const payload = toRapidError(error);
    const headers = { ...JSON_HEADERS, [ERROR_TYPE_HEADER]: toHeaderValue(payload.errorType) };
    const path = PATHS.error(requestId);
    if (dedicatedConnection) return this.#postAlone(path, jsonStringify(payload), headers);
    return this.#postThenNext(path, jsonStringify(payload), headers);
  }

  postInitError(error: unknown): Promise<void> {
    const payload = toRapidError(error);
    return this.#postAlone(PATHS.initError, jsonStringify(payload), {
      ...JSON_HEADERS,
      [ERROR_TYPE_HEADER]: toHeaderValue(payload.errorType),
    });
  }

  async #postThenNext(path: string, body: string, headers: Record<string, string>): Promise<void> {
    let posted!: Promise<HttpAnswer>;
    const handlerMs = (performance.now() - this.#receivedAt).toFixed(3);
    this.#connection.batch(() => {
      posted = this.#connection.request('POST', path, { ...headers, [HANDLER_MS_HEADER]: handlerMs }, body);
      if (!this.#nextAnswer) {
        const next = this.#connection.request('GET', PATHS.next);
        // Consumed by the next `nextInvocation()`; a failure surfaces there.
        next.catch(() => {});
        this.#nextAnswer = next;
      }
    });
    checkPosted(path, await posted);
  }

  async #postAlone(path: string, body: string, headers: Record<string, string>): Promise<void> {
    const connection = new HttpConnection(this.endpoint);
    try {
      checkPosted(path, await connection.request('POST', path, headers, body));
    } finally {
      connection.close();
    }
  }
}
