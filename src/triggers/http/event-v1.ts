import { encodeBody } from './body-encoding.js';
import { type HttpRequestData, headerValue } from './http-request.js';
import { decodePath, parseQuery } from './query-string.js';
import { requestTime } from './request-time.js';

/**
 * Payload format 1.0 of HTTP APIs, the REST API proxy shape (lambda-reference §7.2): header names
 * as the client wrote them, `headers` with the last value of each, `multiValueHeaders` with all,
 * the same for the query string, and every absent member `null`.
 */
/** What the front door knows of a request besides the request itself (both payload formats). */
export interface V1EventContext {
  /** `GET /pets/{id}` or `$default`. */
  routeKey: string;
  stage: string;
  apiId: string;
  domainName: string;
  accountId: string;
  requestId: string;
  /** The path the client called, including a named stage's prefix (AWS keeps it in `rawPath`). */
  rawPath: string;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
}

export function buildV1Event(req: HttpRequestData, c: V1EventContext): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const nameOf = new Map<string, string>();
  for (const [name, value] of req.headers) {
    const lower = name.toLowerCase();
    const key = nameOf.get(lower) ?? name;
    nameOf.set(lower, key);
    headers[key] = value;
    const list = multiValueHeaders[key] ?? [];
    list.push(value);
    multiValueHeaders[key] = list;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of parseQuery(req.rawQueryString)) {
    query[k] = v;
    const values = multiQuery[k] ?? [];
    values.push(v);
    multiQuery[k] = values;
  }
  const hasQuery = Object.keys(query).length > 0;
  const resourcePath = c.routeKey === '$default' ? '$default' : c.routeKey.slice(c.routeKey.indexOf(' ') + 1);
  const path = decodePath(c.rawPath);
  const { body, isBase64Encoded } = encodeBody(req.body, headerValue(req.headers, 'content-type'));
  return {
    version: '1.0',
    resource: resourcePath,
    path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    requestContext: {
      accountId: c.accountId,
      apiId: c.apiId,
      domainName: c.domainName,
      domainPrefix: c.domainName.split('.')[0],
      extendedRequestId: c.requestId,
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: headerValue(req.headers, 'user-agent') ?? '',
        userArn: null,
      },
      path,
      protocol: req.protocol,
      requestId: c.requestId,
      requestTime: requestTime(req.timeEpoch),
      requestTimeEpoch: req.timeEpoch,
      // HTTP APIs have no REST resources; AWS's 1.0 sample carries null here.
      resourceId: null,
      resourcePath,
      stage: c.stage,
    },
    pathParameters: c.pathParameters && Object.keys(c.pathParameters).length ? c.pathParameters : null,
    stageVariables: c.stageVariables && Object.keys(c.stageVariables).length ? c.stageVariables : null,
    body: body ?? null,
    isBase64Encoded,
  };
}
