import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await Promise.all([
    createFunction(s.lambda, 'echo', {
      'index.js': `exports.handler = async (event, context) => ({
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-fn': 'yes' },
        cookies: ['a=1; Path=/', 'b=2'],
        body: JSON.stringify({ event, requestId: context.awsRequestId, trace: process.env._X_AMZN_TRACE_ID }),
      });`,
    }),
    createFunction(s.lambda, 'plain', {
      'index.js': `exports.handler = async (event) => event.rawPath === '/string' ? 'Hello, world!' : { message: 'hi' };`,
    }),
    createFunction(
      s.lambda,
      'behaviour',
      {
        'index.js': `exports.handler = async (event) => {
          switch (event.rawPath) {
            case '/throw': throw new Error('boom');
            case '/sleep': await new Promise((r) => setTimeout(r, 5000)); return 'late';
            case '/malformed': return { statusCode: 'nope' };
            case '/binary': return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' },
              body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').reverse().toString('base64'),
              isBase64Encoded: true };
            case '/string': return 'Hello, world!';
            default: return { statusCode: 200, headers: { 'access-control-allow-origin': '*' }, body: 'ok' };
          }
        };`,
      },
      { Timeout: 1 },
    ),
    createFunction(s.lambda, 'streamer', {
      'index.mjs': `
        export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
          if (event.rawPath === '/plain') {
            responseStream.setContentType('text/plain');
            responseStream.write('a');
            await new Promise((r) => setTimeout(r, 50));
            responseStream.end('b');
            return;
          }
          if (event.rawPath === '/fail-first') throw new Error('before any byte');
          const http = awslambda.HttpResponseStream.from(responseStream, {
            statusCode: 201, headers: { 'content-type': 'text/event-stream', 'x-custom': '1' }, cookies: ['s=1'],
          });
          for (let i = 0; i < 3; i++) {
            http.write('data: ' + i + '\\n\\n');
            await new Promise((r) => setTimeout(r, 150));
          }
          if (event.rawPath === '/fail-mid') throw new Error('mid-stream');
          http.end();
        });`,
    }),
  ]);
});
afterAll(() => s.close());

describe('function URL configuration', () => {
  it('creates, reads, updates, lists and deletes a URL through the SDK', async () => {
    const created = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'plain', AuthType: 'NONE' }),
    );
    expect(created.FunctionUrl).toMatch(/^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+\/$/);
    expect(created.FunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:plain');
    expect(created.InvokeMode).toBe('BUFFERED');
    expect(created.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const got = await s.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'plain' }));
    expect(got.FunctionUrl).toBe(created.FunctionUrl);
    expect(got.LastModifiedTime).toBeDefined();
    const updated = await s.lambda.send(
      new UpdateFunctionUrlConfigCommand({
        FunctionName: 'plain',
        Cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET'], MaxAge: 60 },
      }),
    );
    expect(updated.Cors).toEqual({
      AllowOrigins: ['https://app.example'],
      AllowMethods: ['GET'],
      MaxAge: 60,
    });
    const list = await s.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'plain' }));
    expect(list.FunctionUrlConfigs?.map((c) => c.FunctionUrl)).toEqual([created.FunctionUrl]);
    await s.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'plain' }));
    await expect(
      s.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'plain' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('invoking through a function URL', () => {
  let url: string;
  let urlId: string;
  beforeAll(async () => {
    const c = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'echo', AuthType: 'NONE' }),
    );
    url = c.FunctionUrl!;
    urlId = new URL(url).hostname.split('.')[0]!;
  });

  it("continues the X-Amzn-Trace-Id the event carries as the function's trace, and answers with it", async () => {
    const fresh = await httpRequest(url);
    const body = JSON.parse(fresh.text);
    const root = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})$/.exec(body.event.headers['x-amzn-trace-id'])?.[1];
    expect(root).toBeDefined();
    expect(fresh.headers['x-amzn-trace-id']).toBe(`Root=${root}`);
    expect(body.trace).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=0$`));
    const caller = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
    const continued = await httpRequest(url, { headers: { 'x-amzn-trace-id': caller } });
    expect(JSON.parse(continued.text).trace).toMatch(
      /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/,
    );
    expect(continued.headers['x-amzn-trace-id']).toBe(caller);
  });

  it('builds a payload 2.0 event and maps the response, by host name', async () => {
    const r = await httpRequest(`${url}my/path?a=1&a=2&b=x%20y`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'c1=v1; c2=v2', 'x-multi': ['m1', 'm2'] },
      body: '{"hello":"world"}',
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-fn']).toBe('yes');
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    const { event, requestId } = JSON.parse(r.text);
    expect(r.headers['x-amzn-requestid']).toBe(requestId);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/path',
      rawQueryString: 'a=1&a=2&b=x%20y',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
      requestContext: {
        // AuthType NONE: no caller account, no authorizer (recorded AWS events).
        accountId: 'anonymous',
        apiId: urlId,
        domainName: `${urlId}.lambda-url.us-east-1.localhost`,
        domainPrefix: urlId,
        http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        requestId,
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(event.requestContext).not.toHaveProperty('authorizer');
    expect(event.requestContext).not.toHaveProperty('authentication');
    expect(event.headers['x-multi']).toBe('m1,m2');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('is also reachable under /_aws/lambda-url/<url-id>/ for clients that cannot resolve *.localhost', async () => {
    const r = await fetch(`${s.url}/_aws/lambda-url/${urlId}/x/y?q=1`);
    expect(r.status).toBe(200);
    const { event } = (await r.json()) as {
      event: { rawPath: string; requestContext: { domainName: string } };
    };
    expect(event.rawPath).toBe('/x/y');
    expect(event.requestContext.domainName).toBe(`${urlId}.lambda-url.us-east-1.localhost`);
  });
});

const urlOf = async (FunctionName: string, extra: Record<string, unknown> = {}) => {
  const c = await s.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName, AuthType: 'NONE', ...extra }),
  );
  return c.FunctionUrl!;
};

describe('function URL responses', () => {
  let url: string;
  beforeAll(async () => {
    url = await urlOf('behaviour', {
      Cors: {
        AllowOrigins: ['https://app.example'],
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['x-token'],
        ExposeHeaders: ['x-amzn-requestid'],
        MaxAge: 600,
      },
    });
  });

  it('sends a returned string as JSON with its quotes', async () => {
    const r = await httpRequest(`${url}string`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.text).toBe('"Hello, world!"');
  });

  it('passes binary bodies both ways as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 0x89, 0x50]);
    const r = await httpRequest(`${url}binary`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(Buffer.from(bytes).reverse());
  });

  it('answers errors, timeouts and malformed results with 502', async () => {
    for (const path of ['throw', 'sleep', 'malformed']) {
      const r = await httpRequest(`${url}${path}`);
      expect(r.status, path).toBe(502);
      expect(r.text).toBe('Internal Server Error');
    }
  });

  it("answers CORS preflights itself and replaces the function's CORS headers", async () => {
    const pre = await httpRequest(`${url}anything`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'x-token',
      'access-control-max-age': '600',
    });
    const r = await httpRequest(`${url}ok`, { headers: { origin: 'https://app.example' } });
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(r.headers['access-control-expose-headers']).toBe('x-amzn-requestid');
    const other = await httpRequest(`${url}ok`, { headers: { origin: 'https://other.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses bodies over 6 MB with 413 without invoking', async () => {
    const r = await httpRequest(`${url}ok`, { method: 'POST', body: Buffer.alloc(6_291_457, 97) });
    expect(r.status).toBe(413);
  });

  it('answers unknown URL ids with 404', async () => {
    const r = await httpRequest(`${s.url}/_aws/lambda-url/${'z'.repeat(32)}/`);
    expect(r.status).toBe(404);
  });
});

describe('RESPONSE_STREAM function URLs', () => {
  let url: string;
  beforeAll(async () => {
    url = await urlOf('streamer', { InvokeMode: 'RESPONSE_STREAM' });
  });

  it('sends the HttpResponseStream prelude as status, headers and cookies, then the body as it comes', async () => {
    // fetch cannot resolve *.localhost; the path-prefix form serves the same URL.
    const res = await fetch(`${s.url}/_aws/lambda-url/${new URL(url).hostname.split('.')[0]}/`);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-custom')).toBe('1');
    expect(res.headers.getSetCookie()).toEqual(['s=1']);
    const reader = res.body!.getReader();
    const first = Buffer.from((await reader.read()).value!).toString();
    // The first event arrives while the function is still writing the others (150 ms apart; a
    // busy host may deliver the second with it, but a buffered response would hold all three).
    expect(first).toMatch(/^data: 0\n\n/);
    expect(first).not.toContain('data: 2');
    let all = first;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      all += Buffer.from(value).toString();
    }
    expect(all).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n');
  });

  it('streams a plain (non-HTTP) stream with its content type', async () => {
    const r = await httpRequest(`${url}plain`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.text).toBe('ab');
  });

  it('answers 502 when the function fails before sending anything, and cuts the response mid-stream', async () => {
    const r = await httpRequest(`${url}fail-first`);
    expect(r.status).toBe(502);
    await expect(httpRequest(`${url}fail-mid`)).rejects.toThrow();
  });
});
