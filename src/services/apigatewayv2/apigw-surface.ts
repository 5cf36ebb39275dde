import type { z } from 'zod';
import { ApiGatewayError, badRequest } from '../../domain/apigateway-errors.js';
import { isLambdaError } from '../../domain/errors.js';
import { CONTROL_REQUEST_MAX_BYTES } from '../../domain/limits.js';
import {
  BodyTooLargeError,
  type HttpExchange,
  readRequestBody,
  type Surface,
  sendJson,
} from '../../gateway/exchange.js';
import { RestRouter } from '../../gateway/rest-router.js';
import type { SigV4Authenticator } from '../../gateway/sigv4-auth.js';
import type { Logger } from '../../observability/logger.js';
import { parseMembers } from '../lambda/validation.js';
import { encodeApiGatewayError } from './error-encoding.js';

export interface ApiGatewayCall {
  x: HttpExchange;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
}

export interface ApiGatewayRoute {
  operation: string;
  handler: (call: ApiGatewayCall) => Promise<{ status: number; json?: unknown }>;
}

/**
 * The API Gateway v2 control plane (`/v2/apis/...`, rest-json with camelCase members), on the
 * gateway's one port. Requests signed for another service (SigV4 credential scope) are not ours,
 * so a path-style S3 bucket named `v2` cannot be shadowed.
 */
export class ApiGatewaySurface implements Surface {
  readonly name = 'apigatewayv2';
  readonly router = new RestRouter<ApiGatewayRoute>();

  constructor(
    private readonly log: Logger,
    private readonly auth: SigV4Authenticator,
  ) {}

  matches(x: HttpExchange): boolean {
    if (!/^\/v2\/apis(\/|$)/.test(x.path)) return false;
    const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(
      String(x.req.headers.authorization ?? ''),
    )?.[1];
    return service === undefined || service === 'apigateway';
  }

  async handle(x: HttpExchange): Promise<void> {
    const match = this.router.match(x.method, x.path);
    if (match === undefined || match === 'method-not-allowed') {
      x.req.resume();
      return this.#fail(
        x,
        new ApiGatewayError('NotFoundException', `Unknown operation: ${x.method} ${x.path}`),
      );
    }
    try {
      let body: Buffer;
      try {
        body = await readRequestBody(x.req, CONTROL_REQUEST_MAX_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLargeError)
          throw badRequest(`Request must be smaller than ${e.limit} bytes.`);
        throw e;
      }
      const verdict = await this.auth.verify(x, body);
      if (!verdict.ok) throw new ApiGatewayError('AccessDeniedException', verdict.message);
      const reply = await match.handler.handler({ x, params: match.params, query: x.query, body });
      sendJson(x, reply.status, reply.json);
    } catch (e) {
      this.#fail(x, e, match.handler.operation);
    }
  }

  #fail(x: HttpExchange, e: unknown, operation?: string): void {
    let error: ApiGatewayError;
    if (e instanceof ApiGatewayError) error = e;
    else {
      this.log.error(
        { err: e, operation, requestId: x.requestId },
        'unexpected error in the API Gateway API',
      );
      sendJson(
        x,
        500,
        { message: 'Internal server error' },
        { 'x-amzn-errortype': 'InternalServerErrorException' },
      );
      return;
    }
    const encoded = encodeApiGatewayError(error);
    sendJson(x, encoded.status, encoded.body, encoded.headers);
  }
}

/** The JSON body checked against a request schema; failures are BadRequestException, worded as AWS's validator does. */
export function apiBody<S extends z.ZodType>(call: ApiGatewayCall, schema: S): z.infer<S> {
  let value: unknown = {};
  if (call.body.length > 0) {
    try {
      value = JSON.parse(call.body.toString('utf8'));
    } catch {
      throw badRequest('Invalid JSON in request body.');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.');
  }
  try {
    return parseMembers(schema, value);
  } catch (e) {
    if (isLambdaError(e)) throw badRequest(e.message);
    throw e;
  }
}
