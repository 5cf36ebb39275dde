import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AccountScope } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import { isLambdaError } from '../../domain/errors.js';
import type { FunctionUrlRecord } from '../../domain/http-triggers.js';
import { SYNC_PAYLOAD_MAX_BYTES } from '../../domain/limits.js';
import type { HttpExchange, Surface } from '../../gateway/exchange.js';
import type { SigV4Authenticator } from '../../gateway/sigv4-auth.js';
import type { InvokeResponse, InvokeService } from '../../invoke/invoke-service.js';
import type { Logger } from '../../observability/logger.js';
import type { StreamedResponse } from '../../sandbox/streamed-response.js';
import { applyCors, isPreflight, preflightHeaders } from './cors.js';
import { buildV2Event } from './event-v2.js';
import {
  HOP_BY_HOP,
  noteHangUp,
  rawHeaders,
  readBodyWithinLimit,
  sendFrontDoor,
  sendResult,
} from './front-door.js';
import { type FrontDoorFailure, FUNCTION_URL_RESPONSES } from './front-door-responses.js';
import type { FunctionUrlService } from './function-urls.js';
import { type HttpRequestData, headerValue, requestHead, withForwardingHeaders } from './http-request.js';
import { traceHeader } from './ids.js';
import { mapV2Result } from './response-mapping.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, readPrelude } from './stream-prelude.js';

/** `http://<url-id>.lambda-url.<region>.localhost:<port>/...` */
const URL_HOST = /^([a-z0-9]+)\.lambda-url\./;
/** For clients that cannot resolve `*.localhost`: `http://127.0.0.1:<port>/_aws/lambda-url/<url-id>/...` */
export const FUNCTION_URL_PATH_PREFIX = '/_aws/lambda-url/';

export interface FunctionUrlSurfaceDeps {
  urls: FunctionUrlService;
  invoke: InvokeService;
  scope: AccountScope;
  clock: Clock;
  log: Logger;
  auth: SigV4Authenticator;
}

/** The host of a function URL, what `FunctionUrl` returns (with `http://` and the server's port). */
export function functionUrlHost(urlId: string, region: string): string {
  return `${urlId}.lambda-url.${region}.localhost`;
}

/**
 * Function URLs: every request becomes a payload 2.0 event for the function behind the URL, and
 * its result (or its stream, in RESPONSE_STREAM mode) becomes the HTTP response.
 */
export class FunctionUrlSurface implements Surface {
  readonly name = 'function-urls';

  constructor(private readonly d: FunctionUrlSurfaceDeps) {}

  matches(x: HttpExchange): boolean {
    return URL_HOST.test(x.host) || x.path.startsWith(FUNCTION_URL_PATH_PREFIX);
  }

  async handle(x: HttpExchange): Promise<void> {
    const target = this.#target(x);
    const url = target && this.d.urls.byUrlId(target.urlId);
    if (!target || !url) return this.#fail(x, 'not-found');
    const rawQuery = x.req.url?.includes('?') ? x.req.url.slice(x.req.url.indexOf('?') + 1) : '';
    const head = requestHead(x.req, target.rawPath, rawQuery, this.d.clock.now());
    const authorizer = iamAuthorizer(url, head, this.d.scope);
    if (authorizer === 'forbidden') {
      x.req.resume();
      return this.#fail(x, 'forbidden');
    }
    if (url.cors && isPreflight({ ...head, body: Buffer.alloc(0) })) {
      x.req.resume();
      return sendFrontDoor(
        x,
        { status: 200, contentType: 'text/plain', body: '' },
        preflightHeaders(url.cors, {
          ...head,
          body: Buffer.alloc(0),
        }),
      );
    }
    const body = await readBodyWithinLimit(x);
    if (!body) return this.#fail(x, 'too-large');
    // AWS_IAM: the signature itself is checked once the body (part of what was signed) is read.
    if (url.authType === 'AWS_IAM' && !(await this.d.auth.verify(x, body)).ok)
      return this.#fail(x, 'forbidden');
    const requestId = randomUUID();
    const req: HttpRequestData = {
      ...head,
      headers: withForwardingHeaders(head.headers, {
        sourceIp: head.sourceIp,
        port: localPort(x),
        traceId: traceHeader(head.timeEpoch),
      }),
      body,
    };
    // The trace the event carries (the caller's, or a new one) is the one the invocation continues.
    const trace = headerValue(req.headers, 'x-amzn-trace-id')!;
    const event = buildV2Event(req, {
      routeKey: '$default',
      stage: '$default',
      apiId: url.urlId,
      domainName: target.domainName,
      // An unauthenticated caller has no account: AWS writes "anonymous".
      accountId: authorizer ? this.d.scope.accountId : 'anonymous',
      requestId,
      rawPath: target.rawPath,
      ...(authorizer ? { iamAuthorizer: authorizer } : {}),
    });
    const payload = Buffer.from(JSON.stringify(event));
    if (payload.length > SYNC_PAYLOAD_MAX_BYTES) return this.#fail(x, 'too-large');
    noteHangUp(x, this.d.log, { functionUrl: url.urlId, function: url.functionName });
    const ours: [string, string][] = [
      ['x-amzn-requestid', requestId],
      ['x-amzn-trace-id', trace],
    ];
    const ref = { name: url.functionName, ...(url.qualifier ? { qualifier: url.qualifier } : {}) };
    if (url.invokeMode === 'RESPONSE_STREAM')
      return this.#streamed(x, url, req, ref, payload, requestId, ours);
    let result: InvokeResponse;
    try {
      result = await this.d.invoke.invoke({
        ref,
        payload,
        requestId,
        traceId: trace,
        invocationType: 'RequestResponse',
      });
    } catch (e) {
      return this.#invokeFailed(x, e, url);
    }
    this.#sendBuffered(x, url, req, result, ours);
  }

  #sendBuffered(
    x: HttpExchange,
    url: FunctionUrlRecord,
    req: HttpRequestData,
    result: InvokeResponse,
    ours: [string, string][],
  ): void {
    const mapped = result.functionError ? undefined : mapV2Result(result.payload);
    if (!mapped) {
      this.#fail(x, 'function-error', ours);
      return;
    }
    if (url.cors) mapped.headers = applyCors(url.cors, req, mapped.headers);
    sendResult(x, mapped, ours);
  }

  /**
   * RESPONSE_STREAM: the status and headers go out when the function's first bytes (or its
   * `HttpResponseStream` prelude) arrive, then the body as it comes. A function that fails before
   * sending anything gets the usual 502; one that fails mid-stream has its response cut off.
   */
  async #streamed(
    x: HttpExchange,
    url: FunctionUrlRecord,
    req: HttpRequestData,
    ref: { name: string; qualifier?: string },
    payload: Buffer,
    requestId: string,
    ours: [string, string][],
  ): Promise<void> {
    let onStream!: (s: StreamedResponse) => void;
    const started = new Promise<StreamedResponse>((ok) => {
      onStream = ok;
    });
    const done = this.d.invoke.invoke({
      ref,
      payload,
      requestId,
      traceId: headerValue(req.headers, 'x-amzn-trace-id'),
      invocationType: 'RequestResponse',
      onStream,
    });
    let first: { stream: StreamedResponse } | { result: InvokeResponse };
    try {
      first = await Promise.race([
        started.then((stream) => ({ stream })),
        done.then((result) => ({ result })),
      ]);
    } catch (e) {
      return this.#invokeFailed(x, e, url);
    }
    // A handler that does not stream answers as in BUFFERED mode.
    if ('result' in first) return this.#sendBuffered(x, url, req, first.result, ours);
    const { stream } = first;
    let status = 200;
    let headers: [string, string][] = [['content-type', stream.contentType]];
    let rest: Buffer | undefined;
    if (stream.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
      const read = await readPrelude(stream.body);
      if (!read.prelude) {
        stream.body.destroy();
        await done.catch(() => undefined);
        return this.#fail(x, 'function-error', ours);
      }
      ({ status, headers } = preludeHead(read.prelude));
      rest = read.rest;
    } else {
      rest = await firstChunk(stream.body);
      if (rest === undefined) {
        // Nothing was sent: a failure is still a clean 502, a success an empty 200.
        const result = await done.catch(() => undefined);
        if (!result || result.functionError) return this.#fail(x, 'function-error', ours);
      }
    }
    if (url.cors) headers = applyCors(url.cors, req, headers);
    headers = headers.filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase()));
    x.res.writeHead(status, rawHeaders([...headers, ...ours]));
    if (rest?.length) x.res.write(rest);
    try {
      await pipeline(stream.body, x.res, { end: false });
    } catch {
      // Cut short by a timeout or crash, or the client went away; either way the response is cut.
      x.res.destroy();
    }
    // The body may have ended with error trailers: then the client sees a cut-off response too.
    const result = await done.catch(() => undefined);
    if (!result || result.functionError) x.res.destroy();
    else x.res.end();
  }

  #invokeFailed(x: HttpExchange, e: unknown, url: FunctionUrlRecord): void {
    if (isLambdaError(e) && e.code === 'TooManyRequestsException') this.#fail(x, 'throttled');
    else if (isLambdaError(e) && e.code === 'ResourceNotFoundException') this.#fail(x, 'not-found');
    else this.#logAndFail(x, e, url);
  }

  #logAndFail(x: HttpExchange, e: unknown, url: FunctionUrlRecord): void {
    this.d.log.warn(
      { err: e, functionUrl: url.urlId, function: url.functionName },
      'function URL invoke failed',
    );
    this.#fail(x, 'internal');
  }

  #fail(x: HttpExchange, why: FrontDoorFailure, headers: [string, string][] = []): void {
    if (!x.req.readableEnded) x.req.resume();
    sendFrontDoor(
      x,
      FUNCTION_URL_RESPONSES[why],
      headers.length ? headers : [['x-amzn-requestid', x.requestId]],
    );
  }

  #target(x: HttpExchange): { urlId: string; rawPath: string; domainName: string } | undefined {
    const byHost = URL_HOST.exec(x.host);
    if (byHost) return { urlId: byHost[1]!, rawPath: x.path || '/', domainName: x.host };
    const rest = x.path.slice(FUNCTION_URL_PATH_PREFIX.length);
    const slash = rest.indexOf('/');
    const urlId = slash === -1 ? rest : rest.slice(0, slash);
    if (!/^[a-z0-9]+$/.test(urlId)) return undefined;
    return {
      urlId,
      rawPath: slash === -1 ? '/' : rest.slice(slash),
      domainName: functionUrlHost(urlId, this.d.scope.region),
    };
  }
}

/** Status and headers from an `HttpResponseStream` prelude (`statusCode`, `headers`, `cookies`). */
function preludeHead(prelude: { statusCode?: unknown; headers?: unknown; cookies?: unknown }) {
  const status =
    typeof prelude.statusCode === 'number' && prelude.statusCode >= 100 && prelude.statusCode <= 599
      ? prelude.statusCode
      : 200;
  const headers: [string, string][] = [];
  if (typeof prelude.headers === 'object' && prelude.headers !== null) {
    for (const [k, v] of Object.entries(prelude.headers))
      if (v !== undefined && v !== null) headers.push([k, String(v)]);
  }
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type'))
    headers.push(['content-type', 'application/octet-stream']);
  if (Array.isArray(prelude.cookies))
    for (const c of prelude.cookies) headers.push(['set-cookie', String(c)]);
  return { status, headers };
}

/**
 * AWS_IAM URLs need a SigV4-signed request (verified against Nimbus's keys when authentication is
 * enforced); `requestContext.authorizer.iam` is filled from its credential scope.
 */
function iamAuthorizer(
  url: FunctionUrlRecord,
  head: Omit<HttpRequestData, 'body'>,
  scope: AccountScope,
): Record<string, unknown> | null | 'forbidden' {
  if (url.authType === 'NONE') return null;
  const auth = headerValue(head.headers, 'authorization') ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(auth);
  if (!m) return 'forbidden';
  return {
    iam: {
      accessKey: m[1],
      accountId: scope.accountId,
      callerId: m[1],
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: `arn:aws:iam::${scope.accountId}:user/${m[1]}`,
      userId: m[1],
    },
  };
}

/** The first chunk of a stream (left paused after it), or `undefined` if it ends without one. */
function firstChunk(stream: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const done = (chunk: Buffer | undefined) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      resolve(chunk);
    };
    const onData = (chunk: Buffer) => done(chunk);
    const onEnd = () => done(undefined);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
  });
}

function localPort(x: HttpExchange): number {
  return x.req.socket.localPort ?? 80;
}
