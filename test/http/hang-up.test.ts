import { request } from 'node:http';
import { CreateFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

const lines: Record<string, unknown>[] = [];
let s: TestServer;
beforeAll(async () => {
  const logger = createLogger('info', { write: (l: string) => void lines.push(JSON.parse(l)) });
  s = await startTestServer({}, { logger });
  await createFunction(s.lambda, 'firehose', {
    'index.mjs': `export const handler = awslambda.streamifyResponse(async (event, stream) => {
      const chunk = Buffer.alloc(65536, 120);
      for (let i = 0; i < 400; i++) {
        if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      }
      console.log('wrote everything');
      stream.end();
    });`,
  });
  await createFunction(s.lambda, 'slow', {
    'index.js': `exports.handler = async () => { await new Promise((r) => setTimeout(r, 400)); console.log('finished anyway'); return 'done'; };`,
  });
});
afterAll(() => s.close());

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('a client hanging up cancels nothing: the invocation runs to its end, is metered, and the hang-up is logged', async () => {
  const { FunctionUrl } = await s.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: 'slow', AuthType: 'NONE' }),
  );
  const urlId = new URL(FunctionUrl!).hostname.split('.')[0];
  const req = request(`${s.url}/_aws/lambda-url/${urlId}/`);
  req.on('error', () => undefined);
  req.end();
  await new Promise((r) => setTimeout(r, 100));
  req.destroy();
  await waitFor(
    () => lines.some((l) => String(l.msg).startsWith('client closed the connection')),
    'the hang-up log line',
  );
  expect(lines.find((l) => String(l.msg).startsWith('client closed'))).toMatchObject({
    functionUrl: urlId,
    function: 'slow',
  });
  const invocations = async () => {
    const r = await fetch(`${s.url}/nimbus/v1/functions/slow/invocations`);
    return ((await r.json()) as { invocations: { outcome: string }[] }).invocations;
  };
  await waitFor(async () => (await invocations()).length === 1, 'the metering record');
  expect((await invocations())[0]!.outcome).toBe('success');
  const logs = await fetch(`${s.url}/nimbus/v1/functions/slow/logs`);
  expect(await logs.text()).toContain('finished anyway');
});

it('a client hanging up mid-stream does not stall the streaming function: the rest is drained', async () => {
  const { FunctionUrl } = await s.lambda.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: 'firehose',
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    }),
  );
  const urlId = new URL(FunctionUrl!).hostname.split('.')[0];
  await new Promise<void>((done, fail) => {
    const req = request(`${s.url}/_aws/lambda-url/${urlId}/`, (res) => {
      // Read one chunk of the 25 MB, then hang up.
      res.once('data', () => {
        req.destroy();
        done();
      });
    });
    req.on('error', () => undefined);
    req.on('timeout', () => fail(new Error('no data')));
    req.end();
  });
  const invocations = async () => {
    const r = await fetch(`${s.url}/nimbus/v1/functions/firehose/invocations`);
    return ((await r.json()) as { invocations: { outcome: string }[] }).invocations;
  };
  await waitFor(async () => (await invocations()).length === 1, 'the streaming invocation to finish');
  expect((await invocations())[0]!.outcome).toBe('success');
  const logs = await fetch(`${s.url}/nimbus/v1/functions/firehose/logs`);
  expect(await logs.text()).toContain('wrote everything');
});
