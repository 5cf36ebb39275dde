import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetRoutesCommand,
  GetStagesCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';

let s: TestServer;
let apigw: ApiGatewayV2Client;
let cli: AwsCli | undefined;
const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

beforeAll(async () => {
  s = await startTestServer();
  apigw = new ApiGatewayV2Client({
    endpoint: s.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  cli = awsCli(s.url);
  await Promise.all([
    createFunction(s.lambda, 'echo', {
      'index.js': `exports.handler = async (event) => event.rawPath?.endsWith('/raw')
        ? 'plain'
        : ({ statusCode: 200, body: JSON.stringify(event),
            headers: { 'content-type': 'application/json', 'x-fn-trace': process.env._X_AMZN_TRACE_ID } });`,
    }),
    createFunction(s.lambda, 'echo-v1', {
      'index.js': `exports.handler = async (event) => ({ statusCode: 200,
        multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] }, body: JSON.stringify(event) });`,
    }),
    createFunction(
      s.lambda,
      'bad',
      {
        'index.js': `exports.handler = async (event) => {
          if (event.rawPath.endsWith('/throw')) throw new Error('boom');
          if (event.rawPath.endsWith('/slow')) { await new Promise((r) => setTimeout(r, 3000)); return 'late'; }
          return 'fine';
        };`,
      },
      { Timeout: 5 },
    ),
  ]);
});
afterAll(async () => {
  apigw.destroy();
  await s.close();
});

async function integration(ApiId: string, fn: string, PayloadFormatVersion = '2.0', extra = {}) {
  const i = await apigw.send(
    new CreateIntegrationCommand({
      ApiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: arn(fn),
      PayloadFormatVersion,
      ...extra,
    }),
  );
  return `integrations/${i.IntegrationId}`;
}

describe('HTTP APIs through @aws-sdk/client-apigatewayv2', () => {
  let apiId: string;
  let endpoint: string;

  beforeAll(async () => {
    const api = await apigw.send(new CreateApiCommand({ Name: 'shop', ProtocolType: 'HTTP' }));
    apiId = api.ApiId!;
    endpoint = api.ApiEndpoint!;
    expect(endpoint).toBe(`http://${apiId}.execute-api.us-east-1.localhost:${new URL(s.url).port}`);
    expect(api.CreatedDate).toBeInstanceOf(Date);
    const v2 = await integration(apiId, 'echo');
    const v1 = await integration(apiId, 'echo-v1', '1.0');
    for (const RouteKey of ['GET /pets/{id}', 'ANY /files/{proxy+}', 'POST /pets', 'GET /raw']) {
      await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey, Target: v2 }));
    }
    await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /v1/{name}', Target: v1 }));
    await apigw.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    await apigw.send(
      new CreateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { color: 'blue' } }),
    );
  });

  it("continues the X-Amzn-Trace-Id the event carries as the function's trace", async () => {
    const fresh = await httpRequest(`${endpoint}/pets/1`);
    const root = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24})$/.exec(
      JSON.parse(fresh.text).headers['x-amzn-trace-id'],
    )?.[1];
    expect(root).toBeDefined();
    expect(fresh.headers['x-fn-trace']).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=0$`));
    const caller = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
    const continued = await httpRequest(`${endpoint}/pets/1`, { headers: { 'x-amzn-trace-id': caller } });
    expect(JSON.parse(continued.text).headers['x-amzn-trace-id']).toBe(caller);
    expect(continued.headers['x-fn-trace']).toMatch(
      /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/,
    );
  });

  it('lists and reads what was created', async () => {
    const apis = await apigw.send(new GetApisCommand({}));
    expect(apis.Items?.map((a) => a.ApiId)).toContain(apiId);
    expect((await apigw.send(new GetApiCommand({ ApiId: apiId }))).Name).toBe('shop');
    const routes = await apigw.send(new GetRoutesCommand({ ApiId: apiId }));
    expect(routes.Items?.map((r) => r.RouteKey).sort()).toEqual([
      'ANY /files/{proxy+}',
      'GET /pets/{id}',
      'GET /raw',
      'GET /v1/{name}',
      'POST /pets',
    ]);
    const stages = await apigw.send(new GetStagesCommand({ ApiId: apiId }));
    expect(stages.Items?.map((st) => st.StageName)).toEqual(['$default', 'prod']);
    expect(stages.Items?.[1]?.StageVariables).toEqual({ color: 'blue' });
  });

  it('routes by method and path and builds the 2.0 event with path parameters', async () => {
    const r = await httpRequest(`${endpoint}/pets/42?x=1&x=2`, { headers: { cookie: 'k=v' } });
    expect(r.status).toBe(200);
    expect(r.headers['apigw-requestid']).toMatch(/=$/);
    const event = JSON.parse(r.text);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /pets/{id}',
      rawPath: '/pets/42',
      pathParameters: { id: '42' },
      queryStringParameters: { x: '1,2' },
      cookies: ['k=v'],
      requestContext: {
        apiId,
        stage: '$default',
        routeKey: 'GET /pets/{id}',
        http: { method: 'GET', path: '/pets/42' },
      },
    });
    expect(event.stageVariables).toBeUndefined();
    const greedy = JSON.parse((await httpRequest(`${endpoint}/files/a/b/c.txt`, { method: 'DELETE' })).text);
    expect(greedy.pathParameters).toEqual({ proxy: 'a/b/c.txt' });
  });

  it('keeps a named stage in rawPath and passes its variables', async () => {
    const event = JSON.parse((await httpRequest(`${endpoint}/prod/pets/7`)).text);
    expect(event).toMatchObject({
      rawPath: '/prod/pets/7',
      stageVariables: { color: 'blue' },
      requestContext: { stage: 'prod', http: { path: '/prod/pets/7' } },
    });
    await apigw.send(
      new UpdateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { color: 'red' } }),
    );
    const again = JSON.parse((await httpRequest(`${endpoint}/prod/pets/7`)).text);
    expect(again.stageVariables).toEqual({ color: 'red' });
  });

  it('builds payload 1.0 events and maps multiValueHeaders', async () => {
    const r = await httpRequest(`${endpoint}/v1/ann?q=1&q=2`, { headers: { 'X-Custom': 'yes' } });
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const event = JSON.parse(r.text);
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/v1/{name}',
      path: '/v1/ann',
      httpMethod: 'GET',
      pathParameters: { name: 'ann' },
      queryStringParameters: { q: '2' },
      multiValueQueryStringParameters: { q: ['1', '2'] },
      requestContext: { resourcePath: '/v1/{name}', stage: '$default', httpMethod: 'GET' },
    });
    expect(event.headers['X-Custom']).toBe('yes');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['yes']);
  });

  it('sends a non-statusCode result as JSON and answers unknown routes with 404', async () => {
    const raw = await httpRequest(`${endpoint}/raw`);
    expect(raw.text).toBe('"plain"');
    expect(raw.headers['content-type']).toBe('application/json');
    const missing = await httpRequest(`${endpoint}/nothing/here`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ message: 'Not Found' });
    const wrongMethod = await httpRequest(`${endpoint}/pets/1`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(404);
  });

  it('is reachable under /_aws/execute-api/<api-id>/ too', async () => {
    const r = await fetch(`${s.url}/_aws/execute-api/${apiId}/prod/pets/9`);
    const event = (await r.json()) as { requestContext: { domainName: string } };
    expect(event).toMatchObject({ rawPath: '/prod/pets/9', pathParameters: { id: '9' } });
    expect(event.requestContext.domainName).toBe(`${apiId}.execute-api.us-east-1.localhost`);
  });

  it('updates and deletes routes; refuses to delete an integration a route uses', async () => {
    const routes = await apigw.send(new GetRoutesCommand({ ApiId: apiId }));
    const raw = routes.Items!.find((r) => r.RouteKey === 'GET /raw')!;
    await apigw.send(
      new UpdateRouteCommand({ ApiId: apiId, RouteId: raw.RouteId!, RouteKey: 'GET /plain/raw' }),
    );
    expect((await httpRequest(`${endpoint}/plain/raw`)).text).toBe('"plain"');
    expect((await httpRequest(`${endpoint}/raw`)).status).toBe(404);
    const integrationId = raw.Target!.split('/')[1]!;
    await expect(
      apigw.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId })),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    await apigw.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: raw.RouteId! }));
    expect((await httpRequest(`${endpoint}/plain/raw`)).status).toBe(404);
  });
});

describe('HTTP API failures', () => {
  let endpoint: string;
  beforeAll(async () => {
    const api = await apigw.send(
      new CreateApiCommand({
        Name: 'failing',
        ProtocolType: 'HTTP',
        CorsConfiguration: { AllowOrigins: ['https://ui.example'], AllowMethods: ['GET'], MaxAge: 10 },
      }),
    );
    endpoint = api.ApiEndpoint!;
    const target = await integration(api.ApiId!, 'bad');
    await apigw.send(new CreateRouteCommand({ ApiId: api.ApiId!, RouteKey: '$default', Target: target }));
    const impatient = await integration(api.ApiId!, 'bad', '2.0', { TimeoutInMillis: 1000 });
    await apigw.send(new CreateRouteCommand({ ApiId: api.ApiId!, RouteKey: 'GET /slow', Target: impatient }));
    await apigw.send(new CreateStageCommand({ ApiId: api.ApiId!, StageName: '$default' }));
    const gone = await integration(api.ApiId!, 'no-such-function');
    await apigw.send(new CreateRouteCommand({ ApiId: api.ApiId!, RouteKey: 'GET /gone', Target: gone }));
  });

  it('answers a function error with 500 and an integration timeout with 503', async () => {
    // Warm a sandbox first, so the 1 s integration timeout measures the function, not a cold start.
    expect((await httpRequest(`${endpoint}/ok`)).text).toBe('"fine"');
    const slow = await httpRequest(`${endpoint}/slow`);
    expect(slow.status).toBe(503);
    expect(JSON.parse(slow.text)).toEqual({ message: 'Service Unavailable' });
    const err = await httpRequest(`${endpoint}/throw`);
    expect(err.status).toBe(500);
    expect(JSON.parse(err.text)).toEqual({ message: 'Internal Server Error' });
    expect((await httpRequest(`${endpoint}/gone`)).status).toBe(500);
  });

  it('answers preflights itself (204) and sets CORS headers on responses', async () => {
    const pre = await httpRequest(`${endpoint}/anything`, {
      method: 'OPTIONS',
      headers: { origin: 'https://ui.example', 'access-control-request-method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ui.example');
    expect(pre.headers['access-control-max-age']).toBe('10');
    const r = await httpRequest(`${endpoint}/ok`, { headers: { origin: 'https://ui.example' } });
    expect(r.headers['access-control-allow-origin']).toBe('https://ui.example');
  });

  it('refuses request bodies over 6 MB with 413', async () => {
    const r = await httpRequest(`${endpoint}/ok`, { method: 'POST', body: Buffer.alloc(6_291_457, 97) });
    expect(r.status).toBe(413);
  });
});

describe('API Gateway v2 bad input', () => {
  it('answers with API Gateway errors (message, x-amzn-ErrorType) and changes nothing', async () => {
    const { ApiId } = await apigw.send(new CreateApiCommand({ Name: 'checks', ProtocolType: 'HTTP' }));
    const bad: [() => Promise<unknown>, string, RegExp][] = [
      [
        () => apigw.send(new CreateRouteCommand({ ApiId, RouteKey: 'FETCH /x' })),
        'BadRequestException',
        /Invalid route key/,
      ],
      [
        () => apigw.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /{proxy+}/tail' })),
        'BadRequestException',
        /greedy/,
      ],
      [
        () =>
          apigw.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /x', Target: 'integrations/abc1234' })),
        'BadRequestException',
        /integration abc1234 does not exist/,
      ],
      [
        () =>
          apigw.send(
            new CreateIntegrationCommand({
              ApiId,
              IntegrationType: 'AWS_PROXY',
              IntegrationUri: arn('echo'),
            }),
          ),
        'BadRequestException',
        /PayloadFormatVersion is required/,
      ],
      [
        () =>
          apigw.send(
            new CreateIntegrationCommand({
              ApiId,
              IntegrationType: 'AWS_PROXY',
              IntegrationUri: 'echo',
              PayloadFormatVersion: '2.0',
            }),
          ),
        'BadRequestException',
        /Invalid integration URI/,
      ],
      [
        () =>
          apigw.send(
            new CreateIntegrationCommand({
              ApiId,
              IntegrationType: 'HTTP_PROXY',
              IntegrationUri: 'https://x.example',
              PayloadFormatVersion: '1.0',
            }),
          ),
        'BadRequestException',
        /Unsupported integration type/,
      ],
      [
        () =>
          apigw.send(
            new CreateApiCommand({
              Name: 'c',
              ProtocolType: 'HTTP',
              CorsConfiguration: { AllowOrigins: ['*'], AllowCredentials: true },
            }),
          ),
        'BadRequestException',
        /allowCredentials/,
      ],
      [
        () =>
          apigw.send(
            new CreateApiCommand({ Name: 'c', ProtocolType: 'HTTP', CorsConfiguration: { MaxAge: 100_000 } }),
          ),
        'BadRequestException',
        /maxAge/,
      ],
      [
        // Quick create with a bad route key leaves no half-made API behind.
        () =>
          apigw.send(
            new CreateApiCommand({
              Name: 'c',
              ProtocolType: 'HTTP',
              Target: arn('echo'),
              RouteKey: 'GET users',
            }),
          ),
        'BadRequestException',
        /Invalid route key: 'GET users'/,
      ],
      [
        () => apigw.send(new CreateApiCommand({ Name: 'c', ProtocolType: 'WEBSOCKET' })),
        'BadRequestException',
        /Unsupported protocol type/,
      ],
      [
        () => apigw.send(new CreateStageCommand({ ApiId, StageName: 'bad name' })),
        'BadRequestException',
        /Stage name/,
      ],
      [
        () => apigw.send(new GetApiCommand({ ApiId: 'nosuchapi0' })),
        'NotFoundException',
        /Invalid API identifier specified/,
      ],
      [
        () => apigw.send(new GetIntegrationCommand({ ApiId, IntegrationId: 'nope123' })),
        'NotFoundException',
        /Invalid Integration identifier/,
      ],
    ];
    for (const [call, name, message] of bad) {
      await expect(call()).rejects.toMatchObject({ name, message: expect.stringMatching(message) });
    }
    await apigw.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /dup' }));
    await expect(apigw.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /dup' }))).rejects.toMatchObject({
      name: 'ConflictException',
      $metadata: { httpStatusCode: 409 },
    });
    expect((await apigw.send(new GetRoutesCommand({ ApiId }))).Items).toHaveLength(1);
    const apis = (await apigw.send(new GetApisCommand({}))).Items!.map((a) => a.Name);
    expect(apis.filter((n) => n === 'c')).toHaveLength(0);
    await apigw.send(new DeleteApiCommand({ ApiId }));
    await expect(apigw.send(new GetApiCommand({ ApiId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});

describe('HTTP APIs through the AWS CLI', { timeout: 120_000 }, () => {
  it('quick-creates an API for a function, then adds a route, an integration and a stage', async ({
    skip,
  }) => {
    if (!cli) return skip();
    const created = await cli([
      'apigatewayv2',
      'create-api',
      '--name',
      'quick',
      '--protocol-type',
      'HTTP',
      '--target',
      arn('echo'),
    ]);
    expect(created.code, created.stderr).toBe(0);
    const api = JSON.parse(created.stdout);
    expect(api.ApiEndpoint).toMatch(/^http:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.localhost:\d+$/);
    const event = JSON.parse((await httpRequest(`${api.ApiEndpoint}/any/path`)).text);
    expect(event).toMatchObject({ routeKey: '$default', rawPath: '/any/path' });
    const stages = JSON.parse((await cli(['apigatewayv2', 'get-stages', '--api-id', api.ApiId])).stdout);
    expect(stages.Items[0]).toMatchObject({ StageName: '$default', AutoDeploy: true });

    const integ = JSON.parse(
      (
        await cli([
          'apigatewayv2',
          'create-integration',
          '--api-id',
          api.ApiId,
          '--integration-type',
          'AWS_PROXY',
          '--integration-uri',
          arn('echo-v1'),
          '--payload-format-version',
          '1.0',
        ])
      ).stdout,
    );
    expect(integ).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '1.0',
      TimeoutInMillis: 30000,
    });
    const route = await cli([
      'apigatewayv2',
      'create-route',
      '--api-id',
      api.ApiId,
      '--route-key',
      'GET /legacy/{id}',
      '--target',
      `integrations/${integ.IntegrationId}`,
    ]);
    expect(JSON.parse(route.stdout).RouteKey).toBe('GET /legacy/{id}');
    const v1 = JSON.parse((await httpRequest(`${api.ApiEndpoint}/legacy/5`)).text);
    expect(v1).toMatchObject({ version: '1.0', pathParameters: { id: '5' } });
    const badKey = await cli([
      'apigatewayv2',
      'create-route',
      '--api-id',
      api.ApiId,
      '--route-key',
      'GET nope',
    ]);
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toContain('BadRequestException');
    expect((await cli(['apigatewayv2', 'delete-api', '--api-id', api.ApiId])).code).toBe(0);
    expect((await httpRequest(`${api.ApiEndpoint}/any/path`)).status).toBe(404);
  });
});
