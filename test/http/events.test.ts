import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyCors, isPreflight, preflightHeaders } from '../../src/triggers/http/cors.js';
import { buildV1Event } from '../../src/triggers/http/event-v1.js';
import { buildV2Event } from '../../src/triggers/http/event-v2.js';
import { type HttpRequestData, withForwardingHeaders } from '../../src/triggers/http/http-request.js';
import { mapV1Result, mapV2Result } from '../../src/triggers/http/response-mapping.js';
import { parseRouteKey, RouteTable } from '../../src/triggers/http/route-key.js';
import { readPrelude } from '../../src/triggers/http/stream-prelude.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const MAPS = new Set([
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'pathParameters',
  'stageVariables',
]);

/** Members, nesting and value types; values (and which names a map holds) are ignored. */
function shapeOf(v: unknown, key = ''): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (MAPS.has(key)) return { '<name>': entries.length ? shapeOf(entries[0]![1]) : 'empty' };
    return Object.fromEntries(
      entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, shapeOf(x, k)]),
    );
  }
  return typeof v;
}

/** Drops what the samples carry and Nimbus does not produce (see the fixtures' README). */
function withoutAuth(e: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(e);
  const rc = copy.requestContext as Record<string, unknown>;
  delete rc.authentication;
  delete rc.authorizer;
  delete (rc.identity as Record<string, unknown> | undefined)?.clientCert;
  return copy;
}

const request = (o: Partial<HttpRequestData> = {}): HttpRequestData => ({
  method: 'POST',
  rawPath: '/my/path',
  rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
  headers: [
    ['Header1', 'value1'],
    ['Header2', 'value1'],
    ['Header2', 'value2'],
    ['Cookie', 'cookie1; cookie2'],
    ['User-Agent', 'agent'],
    ['Content-Type', 'text/plain'],
  ],
  body: Buffer.from('Hello from Lambda'),
  sourceIp: '10.0.0.1',
  protocol: 'HTTP/1.1',
  timeEpoch: 1583348638390,
  ...o,
});

const v2Context = {
  routeKey: '$default',
  stage: '$default',
  apiId: 'api-id',
  domainName: 'api-id.execute-api.us-east-1.localhost',
  accountId: '123456789012',
  requestId: 'id',
  rawPath: '/my/path',
};

describe('payload 2.0 events against recorded AWS samples', () => {
  it('has the shape and values of the HTTP API 2.0 sample', () => {
    const golden = withoutAuth(fixture('http-api-v2-request.json'));
    const ours = buildV2Event(request(), {
      ...v2Context,
      pathParameters: { parameter1: 'value1' },
      stageVariables: { stageVariable1: 'value1', stageVariable2: 'value2' },
    });
    expect(shapeOf(ours)).toEqual(shapeOf(golden));
    expect(ours).toMatchObject({
      rawQueryString: golden.rawQueryString,
      cookies: golden.cookies,
      queryStringParameters: golden.queryStringParameters,
      body: golden.body,
      isBase64Encoded: false,
    });
    // AWS lower-cases names (the published sample shows them capitalised; recorded events do not).
    expect(ours.headers).toMatchObject({ header1: 'value1', header2: 'value1,value2' });
    expect(ours.requestContext.time).toBe('04/Mar/2020:19:03:58 +0000');
    expect(ours.requestContext.timeEpoch).toBe(1583348638390);
  });

  it('has the shape of a recorded GET without body, query or cookies', () => {
    const golden = withoutAuth(fixture('apigw-v2-request-no-authorizer.json'));
    const ours = buildV2Event(
      request({
        method: 'GET',
        rawPath: '/',
        rawQueryString: '',
        headers: withForwardingHeaders(
          [
            ['accept', '*/*'],
            ['content-length', '0'],
            ['host', 'aaaaaaaaaa.execute-api.us-west-2.amazonaws.com'],
            ['user-agent', 'curl/7.58.0'],
          ],
          { sourceIp: '1.2.3.4', port: 443, traceId: 'Root=1-5e9f0c65-1de4d666d4dd26aced652b6c' },
        ),
        body: Buffer.alloc(0),
      }),
      { ...v2Context, rawPath: '/' },
    );
    expect(shapeOf(ours)).toEqual(shapeOf(golden));
    // Nimbus serves plain HTTP, so the one difference is the forwarded protocol.
    expect(ours.headers).toEqual({ ...(golden.headers as object), 'x-forwarded-proto': 'http' });
    expect(ours.requestContext.http).toEqual({
      method: 'GET',
      path: '/',
      protocol: 'HTTP/1.1',
      sourceIp: '10.0.0.1',
      userAgent: 'curl/7.58.0',
    });
  });

  it('has the shape of the function URL sample (authentication null, IAM authorizer)', () => {
    const golden = fixture('function-url-request.json');
    const authorizer = (golden.requestContext as { authorizer: Record<string, unknown> }).authorizer;
    const ours = buildV2Event(request(), { ...v2Context, iamAuthorizer: authorizer });
    // The sample spells out `pathParameters`/`stageVariables: null`; AWS also omits them ("null or excluded").
    const { pathParameters: _p, stageVariables: _s, ...rest } = golden;
    expect(shapeOf(ours)).toEqual(shapeOf(rest));
    expect(ours.requestContext.authentication).toBeNull();
  });

  it('has the shape of a recorded AuthType NONE function URL event: no authorizer, no authentication', () => {
    const golden = fixture('function-url-none-request.json');
    const ours = buildV2Event(
      request({
        method: 'GET',
        rawPath: '/',
        rawQueryString: '',
        headers: [['User-Agent', 'agent']],
        body: Buffer.alloc(0),
      }),
      { ...v2Context, accountId: 'anonymous', rawPath: '/' },
    );
    expect(shapeOf(ours)).toEqual(shapeOf(golden));
    expect('authorizer' in ours.requestContext).toBe(false);
    expect('authentication' in ours.requestContext).toBe(false);
  });

  it('base64-encodes binary bodies and keeps text ones', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const binary = buildV2Event(request({ headers: [['content-type', 'image/png']], body: png }), v2Context);
    expect(binary).toMatchObject({ isBase64Encoded: true, body: png.toString('base64') });
    const json = buildV2Event(
      request({ headers: [['content-type', 'application/vnd.api+json']], body: Buffer.from('{"a":1}') }),
      v2Context,
    );
    expect(json).toMatchObject({ isBase64Encoded: false, body: '{"a":1}' });
    const none = buildV2Event(request({ headers: [], body: Buffer.alloc(0) }), v2Context);
    expect(none.body).toBeUndefined();
    expect(none.isBase64Encoded).toBe(false);
  });
});

describe('payload 1.0 events against the recorded AWS sample', () => {
  it('has the shape of the HTTP API 1.0 sample, header names as sent', () => {
    const golden = withoutAuth(fixture('http-api-v1-request.json'));
    const ours = buildV1Event(
      request({
        method: 'GET',
        headers: [
          ['Header1', 'value1'],
          ['Header2', 'value1'],
          ['Header2', 'value2'],
        ],
      }),
      { ...v2Context, routeKey: 'GET /my/path' },
    );
    expect(shapeOf(ours)).toEqual(shapeOf(golden));
    expect(ours).toMatchObject({
      resource: '/my/path',
      path: '/my/path',
      httpMethod: 'GET',
      multiValueHeaders: golden.multiValueHeaders,
      multiValueQueryStringParameters: golden.multiValueQueryStringParameters,
      queryStringParameters: { parameter1: 'value2', parameter2: 'value' },
      headers: { Header1: 'value1', Header2: 'value2' },
      pathParameters: null,
      stageVariables: null,
      body: 'Hello from Lambda',
    });
  });
});

describe('response mapping', () => {
  const v2 = (v: unknown) => mapV2Result(Buffer.from(JSON.stringify(v)));

  it('sends JSON without statusCode verbatim as 200 application/json (a string keeps its quotes)', () => {
    expect(v2('Hello, world!')).toMatchObject({ status: 200, body: Buffer.from('"Hello, world!"') });
    expect(v2({ message: 'hi' })?.headers).toEqual([['content-type', 'application/json']]);
    expect(v2(null)?.body.toString()).toBe('null');
    expect(mapV2Result(Buffer.from('not json'))).toBeUndefined();
  });

  it('maps statusCode, headers, cookies and base64 bodies', () => {
    const r = v2({
      statusCode: 201,
      headers: { 'x-n': 5, 'content-type': 'image/png' },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(r).toEqual({
      status: 201,
      headers: [
        ['x-n', '5'],
        ['content-type', 'image/png'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ],
      body: Buffer.from([1, 2, 3]),
    });
    expect(v2({ statusCode: 'abc' })).toBeUndefined();
    expect(v2({ statusCode: 99 })).toBeUndefined();
  });

  it('1.0 requires statusCode and merges multiValueHeaders', () => {
    const r = mapV1Result(
      Buffer.from(
        JSON.stringify({
          statusCode: 302,
          headers: { Location: '/x', 'Set-Cookie': 'lost' },
          multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
          body: '',
        }),
      ),
    );
    expect(r?.status).toBe(302);
    expect(r?.headers).toEqual([
      ['Location', '/x'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    expect(mapV1Result(Buffer.from('"just a string"'))).toBeUndefined();
    expect(mapV1Result(Buffer.from('{"body":"no status"}'))).toBeUndefined();
  });
});

describe('route keys', () => {
  const table = new RouteTable<string>();
  for (const key of [
    'GET /pets',
    'GET /pets/{id}',
    'GET /pets/dog/{id}',
    'ANY /pets/{proxy+}',
    'POST /pets/{id}',
    'ANY /pets/{id}/toys',
    'GET /',
    '$default',
  ]) {
    const parsed = parseRouteKey(key);
    if (typeof parsed === 'string') throw new Error(parsed);
    table.add(parsed, key);
  }

  it('picks the most specific route: literal over parameter over greedy, method over ANY', () => {
    expect(table.match('GET', '/pets')?.value).toBe('GET /pets');
    expect(table.match('GET', '/pets/7')).toMatchObject({
      value: 'GET /pets/{id}',
      pathParameters: { id: '7' },
    });
    expect(table.match('GET', '/pets/dog/1')?.value).toBe('GET /pets/dog/{id}');
    expect(table.match('DELETE', '/pets/7')).toMatchObject({
      value: 'ANY /pets/{proxy+}',
      pathParameters: { proxy: '7' },
    });
    expect(table.match('GET', '/pets/a/b/c')?.pathParameters).toEqual({ proxy: 'a/b/c' });
    expect(table.match('PUT', '/pets/7/toys')?.value).toBe('ANY /pets/{id}/toys');
    expect(table.match('GET', '/')?.value).toBe('GET /');
    expect(table.match('GET', '/other')).toMatchObject({ value: '$default', routeKey: '$default' });
    expect(table.match('GET', '/pets/caf%C3%A9')?.pathParameters).toEqual({ id: 'café' });
  });

  it('refuses malformed keys', () => {
    for (const bad of [
      'GET',
      'get /x',
      'FETCH /x',
      'GET x',
      'GET /a//b',
      'GET /{proxy+}/x',
      'GET /{a}/{a}',
      'GET /{a',
    ]) {
      expect(typeof parseRouteKey(bad), bad).toBe('string');
    }
  });
});

describe('CORS', () => {
  const policy = {
    allowOrigins: ['https://app.example'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['x-token'],
    maxAge: 300,
    exposeHeaders: ['x-id'],
  };
  const preflight = request({
    method: 'OPTIONS',
    headers: [
      ['Origin', 'https://app.example'],
      ['Access-Control-Request-Method', 'POST'],
    ],
  });

  it('answers allowed preflights and adds headers to responses', () => {
    expect(isPreflight(preflight)).toBe(true);
    expect(preflightHeaders(policy, preflight)).toEqual(
      expect.arrayContaining([
        ['access-control-allow-origin', 'https://app.example'],
        ['access-control-allow-methods', 'GET,POST'],
        ['access-control-allow-headers', 'x-token'],
        ['access-control-max-age', '300'],
      ]),
    );
    const headers = applyCors(policy, request({ headers: [['origin', 'https://app.example']] }), [
      ['access-control-allow-origin', '*'],
    ]);
    expect(headers).toEqual(
      expect.arrayContaining([
        ['access-control-allow-origin', 'https://app.example'],
        ['access-control-expose-headers', 'x-id'],
      ]),
    );
    expect(headers.filter(([k]) => k === 'access-control-allow-origin')).toHaveLength(1);
  });

  it('gives other origins no CORS headers', () => {
    const other = request({
      method: 'OPTIONS',
      headers: [
        ['Origin', 'https://evil.example'],
        ['Access-Control-Request-Method', 'GET'],
      ],
    });
    expect(preflightHeaders(policy, other)).toEqual([]);
    expect(applyCors(policy, request({ headers: [['origin', 'https://evil.example']] }), [])).toEqual([]);
  });
});

describe('HTTP integration stream prelude', () => {
  it('splits the JSON prelude at the 8 NUL bytes, across chunks', async () => {
    const s = new PassThrough();
    const read = readPrelude(s);
    s.write('{"statusCode":201,"head');
    s.write('ers":{"a":"b"}}\0\0\0\0');
    s.write(Buffer.concat([Buffer.from('\0\0\0\0body'), Buffer.from([0, 0])]));
    const { prelude, rest } = await read;
    expect(prelude).toEqual({ statusCode: 201, headers: { a: 'b' } });
    expect(rest).toEqual(Buffer.concat([Buffer.from('body'), Buffer.from([0, 0])]));
  });
});
