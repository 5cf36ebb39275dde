import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { nodeModulesFiles } from '../support/node-modules.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';

/**
 * Unchanged third-party code, deployed with its node_modules as a real function would be, behind
 * an HTTP API route and a function URL: the adapters must find in our events what they find on AWS.
 */

// One Express app, served through two different adapters.
const EXPRESS_APP = `
const express = require('express');
const app = express();
app.use(express.json());
app.use(express.raw({ type: 'application/octet-stream' }));
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, query: req.query, cookie: req.headers.cookie ?? null, method: req.method }));
app.delete('/users/:id', (req, res) => res.status(204).end());
app.post('/echo', (req, res) => res.status(201).json({ body: req.body }));
app.post('/upload', (req, res) => res.type('application/octet-stream').send(Buffer.from(req.body).reverse()));
app.get('/login', (req, res) => { res.cookie('session', 'abc', { path: '/' }); res.cookie('theme', 'dark'); res.redirect(302, '/home'); });
app.get('/boom', () => { throw new Error('app failure'); });
module.exports = app;
`;

const APPS: Record<string, { files: Record<string, string>; packages: string[]; handler?: string }> = {
  'serverless-http': {
    packages: ['express', 'serverless-http'],
    files: {
      'app.js': EXPRESS_APP,
      'index.js': `const serverless = require('serverless-http');
        exports.handler = serverless(require('./app'), { binary: ['application/octet-stream'] });`,
    },
  },
  'serverless-express': {
    packages: ['express', '@codegenie/serverless-express'],
    files: {
      'app.js': EXPRESS_APP,
      'index.js': `const serverlessExpress = require('@codegenie/serverless-express');
        exports.handler = serverlessExpress({ app: require('./app'), binarySettings: { contentTypes: ['application/octet-stream'] } });`,
    },
  },
  hono: {
    packages: ['hono'],
    files: {
      'index.js': `
        const { Hono } = require('hono');
        const { handle } = require('hono/aws-lambda');
        const { getCookie, setCookie } = require('hono/cookie');
        const app = new Hono();
        app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), query: Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v])), cookie: c.req.header('cookie') ?? null, method: c.req.method, session: getCookie(c, 'k') ?? null }));
        app.delete('/users/:id', (c) => c.body(null, 204));
        app.post('/echo', async (c) => c.json({ body: await c.req.json() }, 201));
        app.post('/upload', async (c) => c.body(new Uint8Array(await c.req.arrayBuffer()).reverse(), 200, { 'content-type': 'application/octet-stream' }));
        app.get('/login', (c) => { setCookie(c, 'session', 'abc', { path: '/' }); setCookie(c, 'theme', 'dark'); return c.redirect('/home', 302); });
        app.get('/boom', () => { throw new Error('app failure'); });
        exports.handler = handle(app);`,
    },
  },
  middy: {
    packages: ['@middy/core', '@middy/http-json-body-parser', '@middy/http-error-handler', '@middy/util'],
    handler: 'index.handler',
    files: {
      'index.mjs': `
        import middy from '@middy/core';
        import jsonBodyParser from '@middy/http-json-body-parser';
        import httpErrorHandler from '@middy/http-error-handler';
        import { createError } from '@middy/util';
        const json = (statusCode, value, extra = {}) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value), ...extra });
        const base = async (event) => {
          const method = event.requestContext.http.method;
          const path = event.rawPath;
          const user = /^\\/users\\/([^/]+)$/.exec(path);
          if (user && method === 'GET') {
            const query = {};
            for (const [k, v] of new URLSearchParams(event.rawQueryString)) (query[k] ??= []).push(v);
            for (const k of Object.keys(query)) if (query[k].length === 1) query[k] = query[k][0];
            return json(200, { id: user[1], query, cookie: event.cookies?.join('; ') ?? null, method });
          }
          if (user && method === 'DELETE') return { statusCode: 204 };
          if (path === '/echo') return json(201, { body: event.body });
          if (path === '/upload') return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' },
            body: Buffer.from(event.body, 'base64').reverse().toString('base64'), isBase64Encoded: true };
          if (path === '/login') return { statusCode: 302, headers: { location: '/home' }, cookies: ['session=abc; Path=/', 'theme=dark; Path=/'] };
          if (path === '/boom') throw createError(500, 'app failure');
          throw createError(404, 'nothing here');
        };
        export const handler = middy(base).use(jsonBodyParser({ disableContentTypeError: true })).use(httpErrorHandler());`,
    },
  },
};

let s: TestServer;
let apigw: ApiGatewayV2Client;
type Door = 'route' | 'route-1.0' | 'url';
const endpoints: Record<string, Record<Door, string>> = {};
/** Adapters that read payload 1.0 (REST-style) events too. */
const V1_ADAPTERS = new Set(['serverless-http', 'serverless-express', 'hono']);

beforeAll(async () => {
  s = await startTestServer();
  apigw = new ApiGatewayV2Client({
    endpoint: s.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  await Promise.all(
    Object.entries(APPS).map(async ([name, app]) => {
      await createFunction(
        s.lambda,
        name,
        { ...app.files, ...nodeModulesFiles(app.packages) },
        { Timeout: 10, MemorySize: 256 },
      );
      const api = await apigw.send(
        new CreateApiCommand({
          Name: name,
          ProtocolType: 'HTTP',
          Target: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        }),
      );
      const url = await s.lambda.send(
        new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }),
      );
      endpoints[name] = {
        route: api.ApiEndpoint!,
        'route-1.0': '',
        url: url.FunctionUrl!.replace(/\/$/, ''),
      };
      if (V1_ADAPTERS.has(name)) endpoints[name]['route-1.0'] = await v1Api(name);
    }),
  );
}, 120_000);
/** An HTTP API whose routes send payload format 1.0 events. */
async function v1Api(name: string): Promise<string> {
  const api = await apigw.send(new CreateApiCommand({ Name: `${name}-v1`, ProtocolType: 'HTTP' }));
  const integration = await apigw.send(
    new CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      PayloadFormatVersion: '1.0',
    }),
  );
  await apigw.send(
    new CreateRouteCommand({
      ApiId: api.ApiId,
      RouteKey: 'ANY /{proxy+}',
      Target: `integrations/${integration.IntegrationId}`,
    }),
  );
  await apigw.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default' }));
  return api.ApiEndpoint!;
}

afterAll(async () => {
  apigw.destroy();
  await s.close();
});

describe.each(Object.keys(APPS))('%s', (name) => {
  const doors: Door[] = V1_ADAPTERS.has(name) ? ['route', 'route-1.0', 'url'] : ['route', 'url'];
  describe.each(doors)('behind a %s', (door) => {
    const base = () => endpoints[name]![door];

    it('passes method, path and repeated query parameters, and cookies', async () => {
      const r = await httpRequest(`${base()}/users/42?tag=a&tag=b&page=2`, {
        headers: { cookie: 'k=v; other=1' },
      });
      expect(r.status, r.text).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({
        id: '42',
        query: { tag: ['a', 'b'], page: '2' },
        cookie: 'k=v; other=1',
        method: 'GET',
      });
      const del = await httpRequest(`${base()}/users/42`, { method: 'DELETE' });
      expect(del.status).toBe(204);
    });

    it('reads JSON bodies and sets the status', async () => {
      const r = await httpRequest(`${base()}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hello: 'world', n: [1, 2] }),
      });
      expect(r.status).toBe(201);
      const body = JSON.parse(r.text).body;
      expect(typeof body === 'string' ? JSON.parse(body) : body).toEqual({ hello: 'world', n: [1, 2] });
    });

    it('uploads and downloads binary data unchanged', async () => {
      const bytes = Buffer.from([0, 255, 1, 254, 0x89, 0x50, 0x4e, 0x47, 13, 10, 0]);
      const r = await httpRequest(`${base()}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/octet-stream/);
      expect(r.body).toEqual(Buffer.from(bytes).reverse());
    });

    it('redirects with several cookies', async () => {
      const r = await httpRequest(`${base()}/login`);
      expect(r.status).toBe(302);
      expect(r.headers.location).toBe('/home');
      const cookies = r.headers['set-cookie'] ?? [];
      expect(cookies.map((c) => c.split(';')[0])).toEqual(['session=abc', 'theme=dark']);
    });

    it('turns an application error into its 500 response', async () => {
      const r = await httpRequest(`${base()}/boom`);
      expect(r.status).toBe(500);
    });
  });
});
