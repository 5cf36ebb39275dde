import type { AccountScope } from '../domain/arn.js';
import { isLambdaError, LambdaError } from '../domain/errors.js';
import { CONTROL_REQUEST_MAX_BYTES } from '../domain/limits.js';
import {
  BodyTooLargeError,
  type HttpExchange,
  readRequestBody,
  type Surface,
  sendJson,
} from '../gateway/exchange.js';
import { RestRouter } from '../gateway/rest-router.js';
import type { AuthFailure, SigV4Authenticator } from '../gateway/sigv4-auth.js';
import type { Logger } from '../observability/logger.js';
import { encodeLambdaError, internalError } from './lambda/error-encoding.js';
import type { LambdaReply, LambdaRoute } from './lambda/lambda-call.js';

export interface RestJsonSurfaceOptions {
  name: string;
  /** Checks SigV4 signatures (a no-op when authentication is not enforced). */
  auth: SigV4Authenticator;
  /** Which requests this surface serves (by path prefix, host, ...). */
  matches: (x: HttpExchange) => boolean;
  scope: AccountScope;
  log: Logger;
}

/**
 * A rest-json API in Lambda's style: routes paths to operations, reads bodies within each
 * operation's limit, and encodes every failure as Lambda does (status, `X-Amzn-ErrorType`, JSON
 * body). Serves the Lambda API and Nimbus's own API.
 */
export class RestJsonSurface implements Surface {
  readonly name: string;
  readonly router = new RestRouter<LambdaRoute>();
  private readonly scope: AccountScope;
  private readonly log: Logger;
  readonly #matches: (x: HttpExchange) => boolean;
  readonly #auth: SigV4Authenticator;

  constructor(o: RestJsonSurfaceOptions) {
    this.name = o.name;
    this.#auth = o.auth;
    this.scope = o.scope;
    this.log = o.log;
    this.#matches = o.matches;
  }

  matches(x: HttpExchange): boolean {
    return this.#matches(x);
  }

  async handle(x: HttpExchange): Promise<void> {
    const match = this.router.match(x.method, x.path);
    if (match === undefined || match === 'method-not-allowed') {
      this.#fail(x, new LambdaError('UnknownOperationException', `Unknown operation: ${x.method} ${x.path}`));
      return;
    }
    const route = match.handler;
    try {
      const limit = route.maxBodyBytes ?? CONTROL_REQUEST_MAX_BYTES;
      let body: Buffer;
      try {
        body = await readRequestBody(x.req, limit);
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          throw new LambdaError(
            'RequestEntityTooLargeException',
            `Request must be smaller than ${limit} bytes for the ${route.operation} operation`,
          );
        }
        throw e;
      }
      if (route.auth !== 'none') await this.#authenticate(x, body);
      const reply = await route.handler({ x, params: match.params, scope: this.scope, body });
      if (reply.stream) await reply.stream(x);
      else this.#reply(x, reply);
    } catch (e) {
      this.#fail(x, e, route.operation);
    }
  }

  async #authenticate(x: HttpExchange, body: Buffer): Promise<void> {
    const r = await this.#auth.verify(x, body);
    if (!r.ok) throw jsonAuthError(r.failure, r.message);
  }

  #reply(x: HttpExchange, r: LambdaReply): void {
    if (r.raw !== undefined) {
      x.res.writeHead(r.status, {
        'x-amzn-requestid': x.requestId,
        'content-length': r.raw.length,
        ...r.headers,
      });
      x.res.end(r.raw);
      return;
    }
    sendJson(x, r.status, r.json, r.headers);
  }

  #fail(x: HttpExchange, e: unknown, operation?: string): void {
    let error: LambdaError;
    if (isLambdaError(e)) {
      error = e;
    } else {
      this.log.error({ err: e, operation, requestId: x.requestId }, 'unexpected error in API');
      error = internalError();
    }
    if (x.res.headersSent) {
      x.res.destroy();
      return;
    }
    const encoded = encodeLambdaError(error);
    sendJson(x, encoded.status, encoded.body, encoded.headers);
  }
}

/** How the JSON and REST-JSON protocols (Lambda, Scheduler, Logs, API Gateway) word a failed signature check. */
export function jsonAuthError(failure: AuthFailure, message: string): LambdaError {
  const code =
    failure === 'missing'
      ? 'MissingAuthenticationTokenException'
      : failure === 'unknown-key'
        ? 'UnrecognizedClientException'
        : 'InvalidSignatureException';
  return new LambdaError(code, message);
}
