import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';

let s: TestServer;
let urlBase: string;
let routeBase: string;
beforeAll(async () => {
  s = await startTestServer({ concurrency: 1 });
  await createFunction(s.lambda, 'busy', {
    'index.js':
      'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return "done"; };',
  });
  const url = await s.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: 'busy', AuthType: 'NONE' }),
  );
  urlBase = url.FunctionUrl!;
  const apigw = new ApiGatewayV2Client({
    endpoint: s.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  const api = await apigw.send(
    new CreateApiCommand({
      Name: 'busy',
      ProtocolType: 'HTTP',
      Target: 'arn:aws:lambda:us-east-1:000000000000:function:busy',
    }),
  );
  apigw.destroy();
  routeBase = api.ApiEndpoint!;
});
afterAll(() => s.close());

it('answers a throttled invocation with 429 at a function URL and at a route', async () => {
  const [first, second] = await Promise.all([
    httpRequest(urlBase),
    new Promise((r) => setTimeout(r, 400)).then(() => httpRequest(urlBase)),
  ]);
  expect(first.status).toBe(200);
  expect(second.status).toBe(429);
  expect(JSON.parse(second.text)).toEqual({ Message: 'Rate Exceeded.' });

  const [a, b] = await Promise.all([
    httpRequest(`${routeBase}/x`),
    new Promise((r) => setTimeout(r, 400)).then(() => httpRequest(`${routeBase}/x`)),
  ]);
  expect(a.status).toBe(200);
  expect(b.status).toBe(429);
  expect(JSON.parse(b.text)).toEqual({ message: 'Too Many Requests' });
});
