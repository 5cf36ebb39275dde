import { encodeBody } from './body-encoding.js';
import type { V1EventContext } from './event-v1.js';
import { type HttpRequestData, headerValue } from './http-request.js';
import { parseQuery } from './query-string.js';
import { requestTime } from './request-time.js';

/**
 * Payload format 2.0, the event of HTTP API routes and of function URLs (lambda-reference §7.1;
 * golden samples in `test/fixtures/events/`): header names lower-cased and repeated headers
 * comma-joined, the `Cookie` header moved to `cookies`, repeated query keys comma-joined, absent
 * members omitted rather than null.
 */
export interface V2EventContext extends V1EventContext {
  /**
   * AWS_IAM function URLs carry `authentication: null` and the caller in `authorizer.iam`. NONE
   * URLs carry neither member (and `accountId: "anonymous"`), as recorded from AWS
   * (`test/fixtures/events/function-url-none-request.json`): Powertools' `LambdaFunctionUrlSchema`
   * refuses an `authorizer: null`.
   */
  iamAuthorizer?: Record<string, unknown>;
}

export interface V2Event {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  requestContext: Record<string, unknown>;
  body?: string;
  isBase64Encoded: boolean;
}

export function buildV2Event(req: HttpRequestData, c: V2EventContext): V2Event {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of req.headers) {
    const k = name.toLowerCase();
    if (k === 'cookie') {
      cookies.push(...splitCookies(value));
      continue;
    }
    headers[k] = k in headers ? `${headers[k]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of parseQuery(req.rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
  const { body, isBase64Encoded } = encodeBody(req.body, headerValue(req.headers, 'content-type'));
  const http = {
    method: req.method,
    path: c.rawPath,
    protocol: req.protocol,
    sourceIp: req.sourceIp,
    userAgent: headerValue(req.headers, 'user-agent') ?? '',
  };
  const requestContext: Record<string, unknown> = {
    accountId: c.accountId,
    apiId: c.apiId,
    ...(c.iamAuthorizer ? { authentication: null, authorizer: c.iamAuthorizer } : {}),
    domainName: c.domainName,
    domainPrefix: c.domainName.split('.')[0],
    http,
    requestId: c.requestId,
    routeKey: c.routeKey,
    stage: c.stage,
    time: requestTime(req.timeEpoch),
    timeEpoch: req.timeEpoch,
  };
  return {
    version: '2.0',
    routeKey: c.routeKey,
    rawPath: c.rawPath,
    rawQueryString: req.rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext,
    ...(body === undefined ? {} : { body }),
    ...(c.pathParameters && Object.keys(c.pathParameters).length ? { pathParameters: c.pathParameters } : {}),
    isBase64Encoded,
    ...(c.stageVariables && Object.keys(c.stageVariables).length ? { stageVariables: c.stageVariables } : {}),
  };
}

/** `a=1; b=2` → `['a=1', 'b=2']` */
function splitCookies(header: string): string[] {
  return header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}
