import { randomUUID } from 'node:crypto';
import type { AccountScope } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import { isLambdaError } from '../../domain/errors.js';
import { SYNC_PAYLOAD_MAX_BYTES } from '../../domain/limits.js';
import type { HttpExchange, Surface } from '../../gateway/exchange.js';
import type { InvokeResponse, InvokeService } from '../../invoke/invoke-service.js';
import type { Logger } from '../../observability/logger.js';
import { applyCors, isPreflight, preflightHeaders } from './cors.js';
import { buildV1Event } from './event-v1.js';
import { buildV2Event } from './event-v2.js';
import { noteHangUp, readBodyWithinLimit, sendFrontDoor, sendResult } from './front-door.js';
import { type FrontDoorFailure, HTTP_API_RESPONSES } from './front-door-responses.js';
import type { HttpApiService, ResolvedRequest } from './http-apis.js';
import { type HttpRequestData, headerValue, requestHead, withForwardingHeaders } from './http-request.js';
import { apiGatewayRequestId, traceHeader } from './ids.js';
import { mapV1Result, mapV2Result } from './response-mapping.js';

/** `http://<api-id>.execute-api.<region>.localhost:<port>/<stage>/...` */
const API_HOST = /^([a-z0-9]+)\.execute-api\./;
/** For clients that cannot resolve `*.localhost`: `/_aws/execute-api/<api-id>/<stage>/...` */
export const HTTP_API_PATH_PREFIX = '/_aws/execute-api/';

export interface HttpApiSurfaceDeps {
  apis: HttpApiService;
  invoke: InvokeService;
  scope: AccountScope;
  clock: Clock;
  log: Logger;
}

export function httpApiHost(apiId: string, region: string): string {
  return `${apiId}.execute-api.${region}.localhost`;
}

/**
 * HTTP APIs: a request picks a stage and a route, and the route's AWS_PROXY integration invokes
 * its function with a payload 1.0 or 2.0 event; the result becomes the HTTP response.
 */
export class HttpApiSurface implements Surface {
  readonly name = 'http-apis';

  constructor(private readonly d: HttpApiSurfaceDeps) {}

  matches(x: HttpExchange): boolean {
    return API_HOST.test(x.host) || x.path.startsWith(HTTP_API_PATH_PREFIX);
  }

  async handle(x: HttpExchange): Promise<void> {
    const apiRequestId = apiGatewayRequestId();
    const ours: [string, string][] = [['apigw-requestid', apiRequestId]];
    const target = this.#target(x);
    const api = target && this.#api(target.apiId);
    if (!target || !api) return this.#fail(x, 'not-found', ours);
    if (api.disableExecuteApiEndpoint) return this.#fail(x, 'forbidden', ours);
    const rawQuery = x.req.url?.includes('?') ? x.req.url.slice(x.req.url.indexOf('?') + 1) : '';
    const head = requestHead(x.req, target.rawPath, rawQuery, this.d.clock.now());
    // With CORS configured, API Gateway answers preflights itself, whatever the routes.
    if (api.cors && isPreflight({ ...head, body: Buffer.alloc(0) })) {
      x.req.resume();
      return sendFrontDoor(x, { status: 204, contentType: 'text/plain', body: '' }, [
        ...preflightHeaders(api.cors, { ...head, body: Buffer.alloc(0) }),
        ...ours,
      ]);
    }
    const resolved = this.d.apis.resolve(target.apiId, head.method, target.rawPath);
    if (!resolved) return this.#fail(x, 'not-found', ours);
    if (!resolved.integration || !resolved.functionRef) {
      this.d.log.warn({ apiId: api.apiId, route: resolved.match.routeKey }, 'route has no integration');
      return this.#fail(x, 'internal', ours);
    }
    const body = await readBodyWithinLimit(x);
    if (!body) return this.#fail(x, 'too-large', ours);
    const req: HttpRequestData = {
      ...head,
      headers: withForwardingHeaders(head.headers, {
        sourceIp: head.sourceIp,
        port: x.req.socket.localPort ?? 80,
        traceId: traceHeader(head.timeEpoch),
      }),
      body,
    };
    const payload = Buffer.from(JSON.stringify(this.#event(req, resolved, target, apiRequestId)));
    if (payload.length > SYNC_PAYLOAD_MAX_BYTES) return this.#fail(x, 'too-large', ours);
    noteHangUp(x, this.d.log, { apiId: api.apiId, route: resolved.match.routeKey });
    const outcome = await this.#invoke(resolved, payload, headerValue(req.headers, 'x-amzn-trace-id'));
    if (typeof outcome === 'string')
      return this.#fail(x, outcome, ours, api.cors ? req : undefined, resolved);
    const mapped = outcome.functionError
      ? undefined
      : resolved.integration.payloadFormatVersion === '1.0'
        ? mapV1Result(outcome.payload)
        : mapV2Result(outcome.payload);
    if (!mapped) return this.#fail(x, 'function-error', ours, api.cors ? req : undefined, resolved);
    if (api.cors) mapped.headers = applyCors(api.cors, req, mapped.headers);
    sendResult(x, mapped, ours);
  }

  #event(
    req: HttpRequestData,
    r: ResolvedRequest,
    target: { domainName: string },
    requestId: string,
  ): Record<string, unknown> {
    const context = {
      routeKey: r.match.routeKey,
      stage: r.stage.stageName,
      apiId: r.api.apiId,
      domainName: target.domainName,
      accountId: this.d.scope.accountId,
      requestId,
      rawPath: req.rawPath,
      pathParameters: r.match.pathParameters,
      stageVariables: r.stage.stageVariables,
    };
    if (r.integration?.payloadFormatVersion === '1.0') return buildV1Event(req, context);
    return buildV2Event(req, context) as unknown as Record<string, unknown>;
  }

  /** Invokes within the integration timeout; past it the client gets 503 and the function runs on. */
  async #invoke(
    r: ResolvedRequest,
    payload: Buffer,
    traceId: string | undefined,
  ): Promise<InvokeResponse | FrontDoorFailure> {
    const timeoutMs = r.integration!.timeoutInMillis;
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<'timeout'>((ok) => {
      timer = this.d.clock.setTimeout(() => ok('timeout'), timeoutMs);
    });
    const invocation = this.d.invoke
      .invoke({
        ref: r.functionRef!,
        payload,
        requestId: randomUUID(),
        ...(traceId ? { traceId } : {}),
        invocationType: 'RequestResponse',
      })
      .catch((e: unknown): FrontDoorFailure => {
        if (isLambdaError(e) && e.code === 'TooManyRequestsException') return 'throttled';
        this.d.log.warn(
          { err: e, apiId: r.api.apiId, route: r.match.routeKey },
          'HTTP API integration failed',
        );
        return 'internal';
      });
    try {
      return await Promise.race([invocation, timedOut]);
    } finally {
      timer?.cancel();
    }
  }

  #api(apiId: string) {
    try {
      return this.d.apis.getApi(apiId);
    } catch {
      return undefined;
    }
  }

  #fail(
    x: HttpExchange,
    why: FrontDoorFailure,
    headers: [string, string][],
    req?: HttpRequestData,
    r?: ResolvedRequest,
  ): void {
    if (!x.req.readableEnded) x.req.resume();
    const cors = req && r?.api.cors ? applyCors(r.api.cors, req, []) : [];
    sendFrontDoor(x, HTTP_API_RESPONSES[why], [...cors, ...headers]);
  }

  #target(x: HttpExchange): { apiId: string; rawPath: string; domainName: string } | undefined {
    const byHost = API_HOST.exec(x.host);
    if (byHost) return { apiId: byHost[1]!, rawPath: x.path || '/', domainName: x.host };
    const rest = x.path.slice(HTTP_API_PATH_PREFIX.length);
    const slash = rest.indexOf('/');
    const apiId = slash === -1 ? rest : rest.slice(0, slash);
    if (!/^[a-z0-9]+$/.test(apiId)) return undefined;
    return {
      apiId,
      rawPath: slash === -1 ? '/' : rest.slice(slash),
      domainName: httpApiHost(apiId, this.d.scope.region),
    };
  }
}
