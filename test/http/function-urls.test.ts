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
        body: JSON.stringify({ event, requestId: context.awsRequestId }),
      });`,
    }),
    createFunction(s.lambda, 'plain', {
      'index.js': `exports.handler = async (event) => event.rawPath === '/string' ? 'Hello, world!' : { message: 'hi' };`,
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
    expect(updated.Cors).toEqual({ AllowOrigins: ['https://app.example'], AllowMethods: ['GET'], MaxAge: 60 });
    const list = await s.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'plain' }));
    expect(list.FunctionUrlConfigs?.map((c) => c.FunctionUrl)).toEqual([created.FunctionUrl]);
    await s.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'plain' }));
    await expect(s.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'plain' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('invoking through a function URL', () => {
  let url: string;
  let urlId: string;
  beforeAll(async () => {
    const c = await s.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'echo', AuthType: 'NONE' }));
    url = c.FunctionUrl!;
    urlId = new URL(url).hostname.split('.')[0]!;
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
        accountId: '000000000000',
        apiId: urlId,
        domainName: `${urlId}.lambda-url.us-east-1.localhost`,
        domainPrefix: urlId,
        http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        requestId,
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(event.headers['x-multi']).toBe('m1,m2');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('is also reachable under /_aws/lambda-url/<url-id>/ for clients that cannot resolve *.localhost', async () => {
    const r = await fetch(`${s.url}/_aws/lambda-url/${urlId}/x/y?q=1`);
    expect(r.status).toBe(200);
    const { event } = await r.json();
    expect(event.rawPath).toBe('/x/y');
    expect(event.requestContext.domainName).toBe(`${urlId}.lambda-url.us-east-1.localhost`);
  });
});
