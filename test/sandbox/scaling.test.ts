import { readFileSync } from 'node:fs';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTree } from '../../src/sandbox/proc.js';
import { eventually } from '../support/eventually.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { PROBE_CLIENT, startProbe } from '../support/probe-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { sqsClient } from '../support/sqs.js';
import { makeZip } from '../support/zip.js';

interface FunctionStatus {
  sandboxes: { sandboxes: number; idle: number; busy: number; coldStarts: number; warmStarts: number };
}

const tail = (out: InvokeCommandOutput) => Buffer.from(out.LogResult ?? '', 'base64').toString();
/** Processes this test worker started (sandboxes, zygotes, and what they started), itself excluded. */
const descendants = () => processTree(process.pid).filter((pid) => pid !== process.pid);
/** Processes this test worker started directly: one per sandbox or zygote. */
const children = () =>
  descendants().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch {
      return false;
    }
  });

describe('scale to zero and back', () => {
  let s: TestServer;
  const status = async (name: string) =>
    (await (await fetch(`${s.url}/nimbus/v1/functions/${name}/status`)).json()) as FunctionStatus;
  const invoke = (name: string, event: unknown = {}) =>
    s.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event), LogType: 'Tail' }));

  beforeAll(async () => {
    // No pre-started runtimes, so "zero" is literally no process.
    s = await startTestServer({ idleTimeoutSeconds: 1, keepAlive: 'fixed', prestart: 0, concurrency: 200 });
    await createFunction(s.lambda, 'idler', {
      'index.js': `exports.handler = async (e) => { await new Promise(r => setTimeout(r, e.ms ?? 0)); return 'ok'; };`,
    });
    await createFunction(s.lambda, 'dies-after', {
      'index.js': `exports.handler = async () => { setTimeout(() => process.exit(9), 20); return process.env.AWS_LAMBDA_LOG_STREAM_NAME; };`,
    });
  });
  afterAll(() => s.close());

  it('stops idle sandboxes after the keep-alive, leaving no process, and wakes from zero', async () => {
    const first = await invoke('idler');
    expect(tail(first)).toMatch(/Init Duration/);
    expect((await status('idler')).sandboxes.sandboxes).toBe(1);
    expect(descendants().length).toBeGreaterThan(0);
    await eventually('the idle sandbox to stop', async () =>
      (await status('idler')).sandboxes.sandboxes === 0 ? true : undefined,
    );
    await eventually('no sandbox process left', () => (descendants().length === 0 ? true : undefined), 3000);

    const woken = await invoke('idler');
    expect(decodeJson(woken.Payload)).toBe('ok');
    expect(tail(woken)).toMatch(/Init Duration/);
  });

  it('wakes a function scaled to zero for a burst, and every invocation is served', async () => {
    await eventually('zero sandboxes', async () =>
      (await status('idler')).sandboxes.sandboxes === 0 ? true : undefined,
    );
    const outs = await Promise.all(Array.from({ length: 30 }, () => invoke('idler', { ms: 50 })));
    expect(outs.map((o) => [o.StatusCode, o.FunctionError, decodeJson(o.Payload)])).toEqual(
      outs.map(() => [200, undefined, 'ok']),
    );
    const st = (await status('idler')).sandboxes;
    // Started through the start gate, and reused: not one runtime per invocation.
    expect(st.sandboxes).toBeGreaterThan(1);
    expect(st.coldStarts + st.warmStarts).toBeGreaterThanOrEqual(31);
  });

  it('wakes from zero for an Event invoke and for an SQS message through an event source mapping', async () => {
    const probe = await startProbe();
    const sqs = sqsClient(s.url);
    try {
      await createFunction(
        s.lambda,
        'woken',
        {
          'index.js': `${PROBE_CLIENT}
exports.handler = async (e, ctx) => {
  await probe(e.Records ? { via: 'sqs', body: e.Records[0].body } : { via: 'event', requestId: ctx.awsRequestId });
  return 'ok';
};`,
        },
        { Environment: { Variables: { PROBE_URL: probe.url } } },
      );
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'wake-up-calls' }));
      const mapping = await s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'woken',
          EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:wake-up-calls',
          BatchSize: 1,
        }),
      );
      await eventually('the mapping to be enabled', async () =>
        (await s.lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === 'Enabled'
          ? true
          : undefined,
      );
      const coldStartsReach = async (n: number) => {
        await eventually(`${n} cold starts`, async () =>
          (await status('woken')).sandboxes.coldStarts >= n ? true : undefined,
        );
        expect((await status('woken')).sandboxes.coldStarts).toBe(n);
      };
      const atZero = async () => {
        await eventually('zero sandboxes', async () =>
          (await status('woken')).sandboxes.sandboxes === 0 ? true : undefined,
        );
        return (await status('woken')).sandboxes.coldStarts;
      };
      // Warm once, so that zero is reached by scaling down rather than by never having started.
      expect(decodeJson((await invoke('woken')).Payload)).toBe('ok');
      probe.hits.length = 0;

      const beforeEvent = await atZero();
      const sent = await s.lambda.send(
        new InvokeCommand({ FunctionName: 'woken', InvocationType: 'Event', Payload: '{}' }),
      );
      expect(sent.StatusCode).toBe(202);
      await probe.waitFor(
        (hits) => hits.some((h) => h.body.via === 'event' && h.body.requestId === sent.$metadata.requestId),
        'the Event invoke to run',
      );
      // The cold start is counted when its invocation ends, a moment after the handler's probe.
      await coldStartsReach(beforeEvent + 1);

      const beforeMessage = await atZero();
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
      await probe.waitFor(
        (hits) => hits.some((h) => h.body.via === 'sqs' && h.body.body === 'wake up'),
        'the SQS message to run',
      );
      await coldStartsReach(beforeMessage + 1);
      await s.lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
    } finally {
      sqs.destroy();
      await probe.close();
    }
  });

  it('notices a sandbox that died between invocations and replaces it', async () => {
    const a = decodeJson((await invoke('dies-after')).Payload);
    await eventually('the dead sandbox to be noticed', async () =>
      (await status('dies-after')).sandboxes.sandboxes === 0 ? true : undefined,
    );
    const next = await invoke('dies-after');
    expect(next.FunctionError).toBeUndefined();
    expect(decodeJson(next.Payload)).not.toBe(a);
    expect(tail(next)).toMatch(/Init Duration/);
  });

  it('drains old sandboxes on a code update: in-flight work finishes on the old code', async () => {
    await createFunction(s.lambda, 'versioned', {
      'index.js': `exports.handler = async (e) => { await new Promise(r => setTimeout(r, e.ms ?? 0)); return 'v1'; };`,
    });
    const inFlight = invoke('versioned', { ms: 800 });
    await eventually('the v1 invocation to run', async () =>
      (await status('versioned')).sandboxes.busy === 1 ? true : undefined,
    );
    await s.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'versioned',
        ZipFile: await makeZip({ 'index.js': `exports.handler = async () => 'v2';` }),
      }),
    );
    expect(decodeJson((await invoke('versioned')).Payload)).toBe('v2');
    expect(decodeJson((await inFlight).Payload)).toBe('v1');
    await eventually('the v1 sandbox to stop', async () =>
      (await status('versioned')).sandboxes.sandboxes === 1 ? true : undefined,
    );
  });
});

describe('pre-started runtimes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ prestart: 2, idleTimeoutSeconds: 1, keepAlive: 'fixed' });
    await createFunction(s.lambda, 'quick', { 'index.js': `exports.handler = async () => process.pid;` });
  });
  afterAll(() => s.close());

  it('serve cold starts, are replaced, and are all that is left once functions scale to zero', async () => {
    const ready = async () =>
      (
        (await (await fetch(`${s.url}/nimbus/v1/status`)).json()) as {
          sandboxes: { executor: { zygotesReady: number; zygoteStarts: number } };
        }
      ).sandboxes.executor;
    await eventually('two warm zygotes', async () => ((await ready()).zygotesReady === 2 ? true : undefined));
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'quick', LogType: 'Tail' }));
    const init = Number(/Init Duration: ([\d.]+) ms/.exec(tail(out))?.[1]);
    expect(init).toBeGreaterThan(0);
    expect((await ready()).zygoteStarts).toBe(1);
    await eventually('the zygote to be replaced', async () =>
      (await ready()).zygotesReady === 2 ? true : undefined,
    );
    await eventually('the function to scale to zero, leaving the two zygotes', () =>
      children().length === 2 ? true : undefined,
    );
  });
});
