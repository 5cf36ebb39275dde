import { execFileSync } from 'node:child_process';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectHostTools } from '../../src/main/host-tools.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../support/server.js';
import { requireTool } from '../support/system-tools.js';
import { makeZip } from '../support/zip.js';

let s: TestServer;
const t0 = Date.now();
beforeAll(async () => {
  s = await startTestServer({ concurrency: 2, pricePerRequest: 0.001, pricePerGbSecond: 0.5 });
  await createFunction(s.lambda, 'busy', {
    'index.js':
      'exports.handler = async (e) => { if (e.fail) throw new Error("no"); if (e.wait) await new Promise(r => setTimeout(r, e.wait)); return 1; };',
  });
});
afterAll(() => s.close());

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${s.url}${path}`, init);
  const text = await res.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  // Lambda words some errors with `Message`, others with `message`.
  if (body.Message !== undefined) body.message = body.Message;
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body };
}

const invoke = (payload: object) =>
  s.lambda.send(new InvokeCommand({ FunctionName: 'busy', Payload: Buffer.from(JSON.stringify(payload)) }));

describe('metrics series', () => {
  it('counts invocations, errors, cold starts, concurrency and (durable) throttles per period', async () => {
    // Two run at once (the account limit), the third is throttled and never runs.
    const results = await Promise.allSettled([invoke({ wait: 400 }), invoke({ wait: 400 }), invoke({})]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    await invoke({ fail: true });
    const until = Date.now() + 1;
    const r = await api(`/nimbus/v1/functions/busy/metrics?since=${t0 - 60_000}&until=${until}&period=3600`);
    expect(r.status).toBe(200);
    const points = r.body.points as Record<string, number | null>[];
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({
      invocations: 3,
      errors: 1,
      throttles: 1,
      coldStarts: 2,
      concurrency: 2,
    });
    expect(points[0]!.durationP99).toBeGreaterThanOrEqual(400);
    expect(points[0]!.durationP50).toBeLessThanOrEqual(points[0]!.durationP99!);

    // Small periods: every invocation lands in exactly one of them.
    const fine = await api(`/nimbus/v1/metrics?since=${t0 - 60_000}&until=${until}&period=1`);
    const pts = fine.body.points as { invocations: number; durationP50: number | null }[];
    expect(pts.reduce((n, p) => n + p.invocations, 0)).toBe(3);
    expect(pts.filter((p) => p.invocations === 0).every((p) => p.durationP50 === null)).toBe(true);
  });

  it('charts one version on its own', async () => {
    await createFunction(s.lambda, 'versioned', { 'index.js': 'exports.handler = async () => "v1";' });
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    await s.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'versioned',
        ZipFile: await makeZip({ 'index.js': 'exports.handler = async () => "v2";' }),
      }),
    );
    await waitUntilFunctionUpdatedV2({ client: s.lambda, maxWaitTime: 30 }, { FunctionName: 'versioned' });
    const call = (Qualifier?: string) =>
      s.lambda.send(new InvokeCommand({ FunctionName: 'versioned', ...(Qualifier ? { Qualifier } : {}) }));
    await call('1');
    await call('1');
    await call();
    const until = Date.now() + 1;
    const count = async (version?: string) => {
      const q = version ? `&version=${encodeURIComponent(version)}` : '';
      const r = await api(
        `/nimbus/v1/functions/versioned/metrics?since=${t0 - 60_000}&until=${until}&period=3600${q}`,
      );
      expect(r.status).toBe(200);
      return (r.body.points as { invocations: number }[])[0]!.invocations;
    };
    expect(await count()).toBe(3);
    expect(await count('1')).toBe(2);
    expect(await count('$LATEST')).toBe(1);
    expect(await count('2')).toBe(0);
    const bad = await api('/nimbus/v1/functions/versioned/metrics?version=live');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/version/);
  });

  it('refuses bad ranges with the reason', async () => {
    const tooMany = await api('/nimbus/v1/metrics?since=0&until=86400000&period=1');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/at most 1440/);
    const backwards = await api('/nimbus/v1/metrics?since=10&until=5');
    expect(backwards.body.message).toMatch(/since must be earlier/);
    const bad = await api('/nimbus/v1/metrics?period=0');
    expect(bad.errorType).toBe('ValidationException');
    expect((await api('/nimbus/v1/functions/nope/metrics')).status).toBe(404);
  });
});

describe('recent invocations', () => {
  it('pages back with nextBefore', async () => {
    const first = await api('/nimbus/v1/functions/busy/invocations?limit=2');
    const page1 = first.body.invocations as { requestId: string; startedAt: number }[];
    expect(page1).toHaveLength(2);
    expect(first.body.nextBefore).toBe(page1[1]!.startedAt);
    const second = await api(`/nimbus/v1/functions/busy/invocations?limit=2&before=${first.body.nextBefore}`);
    const page2 = second.body.invocations as { requestId: string; startedAt: number }[];
    expect(page2.length).toBeGreaterThanOrEqual(1);
    expect(page2.every((i) => i.startedAt < page1[1]!.startedAt)).toBe(true);
  });
});

describe('runtimes and status', () => {
  it('lists the runtimes the server runs, each with a template', async () => {
    const r = await api('/nimbus/v1/runtimes');
    const runtimes = r.body.runtimes as { runtime: string; handler: string; template: string }[];
    expect(runtimes.map((x) => x.runtime)).toEqual([
      'nodejs24.x',
      'nodejs22.x',
      'nodejs20.x',
      'python3.14',
      'python3.13',
      'python3.12',
      'python3.11',
      'python3.10',
      'python3.9',
      'provided.al2023',
      'provided.al2',
    ]);
    expect(runtimes[0]!.handler).toBe('index.handler');
    expect(runtimes[0]!.template).toMatch(/export const handler/);
    expect(runtimes.find((x) => x.runtime === 'python3.12')).toMatchObject({
      handler: 'lambda_function.lambda_handler',
      fileName: 'lambda_function.py',
      template: expect.stringMatching(/^def lambda_handler\(event, context\):$/m),
    });
    expect(runtimes.find((x) => x.runtime === 'provided.al2023')).toMatchObject({
      fileName: 'bootstrap',
      executable: true,
      template: expect.stringMatching(/^#!\/bin\/sh\n/),
    });
    const status = await api('/nimbus/v1/status');
    expect(status.body).toMatchObject({ region: 'us-east-1', authentication: 'off' });
  });
});

const python = detectHostTools().python?.executable;
const curl = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v curl']).toString().trim() || undefined;
  } catch {
    return undefined;
  }
})();

describe('runtime templates', () => {
  const tools = requireTool(
    'python3 and curl',
    python && curl ? 'yes' : undefined,
    'apt-get install -y python3 curl',
  );
  it.skipIf(!tools)("each family's template deploys as offered and answers", async () => {
    const r = await api('/nimbus/v1/runtimes');
    const offers = r.body.runtimes as {
      runtime: string;
      family: string;
      handler: string;
      fileName: string;
      executable?: boolean;
      template: string;
    }[];
    for (const family of ['nodejs', 'python', 'provided']) {
      const offer = offers.find((o) => o.family === family)!;
      const name = `template-${family}`;
      await s.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: offer.runtime as never,
          Handler: offer.handler,
          Role: TEST_ROLE,
          Code: {
            ZipFile: await makeZip({
              [offer.fileName]: { content: offer.template, mode: offer.executable ? 0o100755 : 0o100644 },
            }),
          },
        }),
      );
      const out = await s.lambda.send(
        new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"from":"template"}') }),
      );
      expect(out.FunctionError, family).toBeUndefined();
      const body = decodeJson(out.Payload) as { statusCode: number; body: string };
      expect(body.statusCode, family).toBe(200);
      expect(body.body, family).toContain('Hello from Nimbus!');
    }
  });
});

describe('usage with configured prices', () => {
  it('prices requests and GB-seconds as configured', async () => {
    const r = await api(`/nimbus/v1/usage?since=${t0 - 60_000}&function=busy`);
    const total = r.body.total as { requests: number; gbSeconds: number; cost: number };
    expect(r.body.prices).toMatchObject({ perRequest: 0.001, perGbSecondX86: 0.5 });
    expect(total.requests).toBe(3);
    expect(total.cost).toBeCloseTo(3 * 0.001 + total.gbSeconds * 0.5, 10);
  });
});

describe('test events', () => {
  const put = (name: string, body: unknown, fn = 'busy') =>
    api(`/nimbus/v1/functions/${fn}/test-events/${encodeURIComponent(name)}`, {
      method: 'PUT',
      body: JSON.stringify(body),
    });

  it('saves, lists, replaces and deletes test events', async () => {
    expect((await put('hello', { event: '{"a": 1}' })).status).toBe(200);
    expect((await put('hello', { event: '{"a": 2}' })).status).toBe(200);
    await put('second.one', { event: '[]' });
    const list = await api('/nimbus/v1/functions/busy/test-events');
    expect(list.body.testEvents).toMatchObject([
      { name: 'hello', event: '{"a": 2}' },
      { name: 'second.one', event: '[]' },
    ]);
    expect((await api('/nimbus/v1/functions/busy/test-events/hello', { method: 'DELETE' })).status).toBe(204);
    const gone = await api('/nimbus/v1/functions/busy/test-events/hello', { method: 'DELETE' });
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe('Test event not found: hello');
  });

  it('refuses bad names, bad JSON, too many events and unknown functions', async () => {
    const badName = await put('has space', { event: '{}' });
    expect(badName.errorType).toBe('ValidationException');
    expect(badName.body.message).toMatch(/at 'name' failed to satisfy constraint/);
    const badJson = await put('broken', { event: '{"a":' });
    expect(badJson.errorType).toBe('InvalidParameterValueException');
    expect(badJson.body.message).toMatch(/^The test event is not valid JSON/);
    const notString = await put('typed', { event: { a: 1 } });
    expect(notString.status).toBe(400);
    for (let i = 0; i < 9; i++) expect((await put(`e${i}`, { event: '{}' })).status).toBe(200);
    const eleventh = await put('one-more', { event: '{}' });
    expect(eleventh.body.message).toMatch(/at most 10 saved test events/);
    expect((await put('x', { event: '{}' }, 'nope')).status).toBe(404);
  });

  it('are deleted with their function', async () => {
    await createFunction(s.lambda, 'short-lived', { 'index.js': 'exports.handler = async () => 1;' });
    await put('kept', { event: '{}' }, 'short-lived');
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'short-lived' }));
    await createFunction(s.lambda, 'short-lived', { 'index.js': 'exports.handler = async () => 1;' });
    const list = await api('/nimbus/v1/functions/short-lived/test-events');
    expect(list.body.testEvents).toEqual([]);
  });
});
