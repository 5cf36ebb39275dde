import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertCliBuilt, cliFor } from './harness.js';

let s: TestServer;
let nimbus: ReturnType<typeof cliFor>;
beforeAll(async () => {
  assertCliBuilt();
  s = await startTestServer();
  nimbus = cliFor(s.url);
  await createFunction(s.lambda, 'hello', {
    'index.js': `exports.handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ v: e.version ?? null,
      route: e.routeKey ?? e.resource, name: (e.pathParameters ?? {}).name ?? null }) });`,
  });
});
afterAll(() => s.close());

describe('nimbus route', { timeout: 90_000 }, () => {
  it('adds routes (creating the default API), lists and deletes them', async () => {
    const added = await nimbus('route', 'add', 'GET /hello/{name}', 'hello');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^GET \/hello\/\{name\} → hello \(payload 2\.0\)\n/);
    const url = /(http:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.localhost:\d+)\/hello\/\{name\}/.exec(
      added.stdout,
    )?.[1];
    expect(url).toBeDefined();
    expect(added.stdout).toContain(`${s.url}/_aws/execute-api/`);
    expect(JSON.parse((await httpRequest(`${url}/hello/ann`)).text)).toEqual({
      v: '2.0',
      route: 'GET /hello/{name}',
      name: 'ann',
    });

    const v1 = await nimbus('route', 'add', 'POST /legacy', 'hello', '--payload-format', '1.0');
    expect(v1.code, v1.stderr).toBe(0);
    expect(JSON.parse((await httpRequest(`${url}/legacy`, { method: 'POST' })).text)).toMatchObject({
      v: '1.0',
      route: '/legacy',
    });

    const list = await nimbus('route', 'list');
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ROUTE\s+FUNCTION\s+PAYLOAD\s+URL$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['GET /hello/{name}', 'hello', '2.0'],
      ['POST /legacy', 'hello', '1.0'],
    ]);
    const json = JSON.parse((await nimbus('route', 'list', '--json')).stdout);
    expect(json.api.name).toBe('nimbus');
    expect(json.routes).toHaveLength(2);

    expect((await nimbus('route', 'delete', 'POST /legacy')).stdout).toBe('Deleted route POST /legacy\n');
    expect((await httpRequest(`${url}/legacy`, { method: 'POST' })).status).toBe(404);
    const after = JSON.parse((await nimbus('route', 'list', '--json')).stdout);
    // The 1.0 integration went with its last route; the 2.0 one stays for GET /hello/{name}.
    expect(after.integrations.map((i: { payloadFormatVersion: string }) => i.payloadFormatVersion)).toEqual([
      '2.0',
    ]);
  });

  it('routes into a named API with --api', async () => {
    const r = await nimbus('route', 'add', '$default', 'hello', '--api', 'shop');
    expect(r.code, r.stderr).toBe(0);
    const url = /(http:\/\/\S+)\/\n/.exec(r.stdout)?.[1];
    expect(JSON.parse((await httpRequest(`${url}/anything`)).text).route).toBe('$default');
    expect((await nimbus('route', 'list', '--api', 'shop')).stdout).toMatch(/\$default\s+hello\s+2\.0/);
  });

  it('reports bad input with the API error and exit code 2', async () => {
    const badKey = await nimbus('route', 'add', 'FETCH /x', 'hello');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/^nimbus: BadRequestException: Invalid route key: 'FETCH \/x'/);
    const dup = await nimbus('route', 'add', 'GET /hello/{name}', 'hello');
    expect(dup.stderr).toMatch(/ConflictException: Route with key GET \/hello\/\{name\} already exists/);
    const noFn = await nimbus('route', 'add', 'GET /x', 'missing-fn');
    expect(noFn.code).toBe(2);
    expect(noFn.stderr).toContain('ResourceNotFoundException');
    const noRoute = await nimbus('route', 'delete', 'GET /nope');
    expect(noRoute.code).toBe(2);
    expect(noRoute.stderr).toContain('no route "GET /nope"');
    const badFormat = await nimbus('route', 'add', 'GET /y', 'hello', '--payload-format', '3.0');
    expect(badFormat.code).toBe(2);
  });
});
