/**
 * HTTP client for the Lambda Runtime API (lambda-reference §4.1). One keep-alive connection
 * (`maxSockets: 1`), like RIC: the pending `GET next` is what keeps the event loop alive between
 * invokes; idle keep-alive sockets are unref'd by the agent, so they never hold the loop open.
 */
import http from 'node:http';
import { toHeaderValue, toRapidError } from './errors.js';
import { byteLength, jsonStringify } from './intrinsics.js';
import {
  ERROR_BODY_TRAILER,
  ERROR_TYPE_HEADER,
  INVOKE_HEADERS,
  PATHS,
  RESPONSE_MODE_HEADER,
  STREAMING_RESPONSE_MODE,
} from './protocol.js';

// Captured now: user code may wrap `http.request` (tracing agents do) after init.
const { Agent, request: httpRequest } = http;

export interface Invocation {
  requestId: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function splitHostPort(hostPort: string): { hostname: string; port: number } {
  const colon = hostPort.lastIndexOf(':');
  const hostname = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { hostname, port: Number(hostPort.slice(colon + 1)) };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Node's advice: a request on a reused keep-alive socket the server just closed is safe to resend. */
function isStaleSocket(request: http.ClientRequest, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
}

function send(options: http.RequestOptions, body: string | undefined, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text });
      });
    });
    request.on('error', (error) => {
      if (!retried && isStaleSocket(request, error)) send(options, body, true).then(resolve, reject);
      else reject(error);
    });
    request.end(body);
  });
}

/**
 * 4xx answers to a POST (unknown id, already answered, too large) are the platform's to report
 * to the caller; 5xx means the runtime should exit.
 */
function statusError(path: string, status: number): Error | undefined {
  return status >= 500 ? new Error(`Runtime API answered ${status} to POST ${path}`) : undefined;
}

export class RuntimeClient {
  readonly #hostname: string;
  readonly #port: number;
  readonly #agent: http.Agent;

  constructor(hostPort: string) {
    ({ hostname: this.#hostname, port: this.#port } = splitHostPort(hostPort));
    this.#agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Blocks, with no timeout, until the platform hands over an invocation. */
  async nextInvocation(): Promise<Invocation> {
    const answer = await send(this.#options('GET', PATHS.next, {}, this.#agent), undefined);
    if (answer.status !== 200) {
      throw new Error(`Runtime API answered ${answer.status} to GET ${PATHS.next}: ${answer.body}`);
    }
    const requestId = answer.headers[INVOKE_HEADERS.requestId];
    if (typeof requestId !== 'string' || requestId === '') {
      throw new Error('invocation id is missing or invalid');
    }
    return { requestId, headers: answer.headers, body: answer.body };
  }

  postInvocationResponse(requestId: string, body: string): Promise<void> {
    return this.#post(PATHS.response(requestId), body, {}, this.#agent);
  }

  /**
   * `dedicatedConnection` is for crash reports: the shared socket may be busy with a pending
   * `GET next` or an open streaming response, and `maxSockets: 1` would queue the report behind it.
   */
  postInvocationError(requestId: string, error: unknown, dedicatedConnection = false): Promise<void> {
    const payload = toRapidError(error);
    return this.#post(
      PATHS.error(requestId),
      jsonStringify(payload),
      { [ERROR_TYPE_HEADER]: toHeaderValue(payload.errorType) },
      dedicatedConnection ? false : this.#agent,
    );
  }

  postInitError(error: unknown): Promise<void> {
    const payload = toRapidError(error);
    return this.#post(
      PATHS.initError,
      jsonStringify(payload),
      { [ERROR_TYPE_HEADER]: toHeaderValue(payload.errorType) },
      false,
    );
  }

  /**
   * Starts the streaming `POST /response` (lambda-reference §4.5). Node sends the headers with the
   * first body chunk, so the content type can still change until then. `done` settles when the
   * platform has answered; it is pre-handled so an abandoned stream cannot become an unhandled
   * rejection.
   */
  openResponseStream(
    requestId: string,
    contentType: string,
  ): { request: http.ClientRequest; done: Promise<void> } {
    const path = PATHS.response(requestId);
    const headers = {
      [RESPONSE_MODE_HEADER]: STREAMING_RESPONSE_MODE,
      'Transfer-Encoding': 'chunked',
      Trailer: `${ERROR_TYPE_HEADER}, ${ERROR_BODY_TRAILER}`,
      'Content-Type': contentType,
    };
    let request!: http.ClientRequest;
    const done = new Promise<void>((resolve, reject) => {
      request = httpRequest(this.#options('POST', path, headers, this.#agent), (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => {
          const error = statusError(path, response.statusCode ?? 0);
          if (error) reject(error);
          else resolve();
        });
      });
      request.on('error', reject);
    });
    done.catch(() => {});
    return { request, done };
  }

  async #post(
    path: string,
    body: string,
    headers: http.OutgoingHttpHeaders,
    agent: http.Agent | false,
  ): Promise<void> {
    const allHeaders = { 'Content-Type': 'application/json', 'Content-Length': byteLength(body), ...headers };
    const { status } = await send(this.#options('POST', path, allHeaders, agent), body);
    const error = statusError(path, status);
    if (error) throw error;
  }

  #options(
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    agent: http.Agent | false,
  ): http.RequestOptions {
    return { hostname: this.#hostname, port: this.#port, method, path, headers, agent };
  }
}
