import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { scheduleRequest, schedulerClient } from '../support/scheduler.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { eventually, sqsClient } from '../support/sqs.js';

let s: TestServer;
let sqs: SQSClient;
/** Moved forward by the lag tests (last in this file): messages then look old at once. */
const clock = new ShiftedClock();
beforeAll(async () => {
  s = await startTestServer({ concurrency: 1 }, { clock });
  sqs = sqsClient(s.url);
  await createFunction(s.lambda, 'counted', {
    'index.js':
      'exports.handler = async (e) => { if (e.fail) throw new Error("no"); if (e.wait) await new Promise(r => setTimeout(r, e.wait)); return 1; };',
  });
});
afterAll(async () => {
  sqs.destroy();
  await s.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format strictly enough to catch malformed output. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    expect(m, `malformed sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of (m![3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    samples.push({ name: m![1]!, labels, value: Number(m![4]) });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  find(samples, name, labels)?.value ?? 0;

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

describe('/metrics', () => {
  it('parses as Prometheus text and its counters move with invocations', async () => {
    const before = await scrape();
    for (const Payload of ['{}', '{}', '{"fail":true}']) {
      await s.lambda.send(new InvokeCommand({ FunctionName: 'counted', Payload: Buffer.from(Payload) }));
    }
    await s.nimbus.recorder.flush();
    const after = await scrape();
    const ok = { function: 'counted', outcome: 'success', invocation_type: 'RequestResponse' };
    const err = { function: 'counted', outcome: 'error', invocation_type: 'RequestResponse' };
    expect(value(after, 'nimbus_invocations_total', ok) - value(before, 'nimbus_invocations_total', ok)).toBe(
      2,
    );
    expect(
      value(after, 'nimbus_invocations_total', err) - value(before, 'nimbus_invocations_total', err),
    ).toBe(1);
    expect(value(after, 'nimbus_cold_starts_total', { function: 'counted' })).toBe(1);
    expect(value(after, 'nimbus_invocation_duration_seconds_count', { function: 'counted' })).toBe(3);
    expect(value(after, 'nimbus_sandboxes', { function: 'counted', state: 'idle' })).toBe(1);
    expect(value(after, 'nimbus_billed_gb_seconds_total', { function: 'counted' })).toBeGreaterThan(0);
    expect(after.some((x) => x.name === 'nimbus_process_resident_memory_bytes')).toBe(true);
  });

  it('counts throttles', async () => {
    const slow = s.lambda.send(
      new InvokeCommand({ FunctionName: 'counted', Payload: Buffer.from('{"wait":300}') }),
    );
    await expect(
      (async () => {
        // Concurrency is 1: while the slow one runs, the next is throttled.
        for (let i = 0; i < 50; i++) {
          await s.lambda.send(new InvokeCommand({ FunctionName: 'counted', Payload: Buffer.from('{}') }));
        }
      })(),
    ).rejects.toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    await slow;
    const after = await scrape();
    expect(
      value(after, 'nimbus_throttles_total', {
        function: 'counted',
        reason: 'ConcurrentInvocationLimitExceeded',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports asynchronous events by state as they are queued and drained', async () => {
    await createFunction(s.lambda, 'async-depth', {
      'index.js':
        'exports.handler = async (e) => { if (e.fail) throw new Error("no"); await new Promise(r => setTimeout(r, e.wait ?? 0)); };',
    });
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-depth', MaximumRetryAttempts: 0 }),
    );
    const states = (samples: Sample[]) =>
      Object.fromEntries(
        ['queued', 'in-flight', 'retrying', 'failed'].map((state) => [
          state,
          find(samples, 'nimbus_async_events', { function: 'async-depth', state })?.value,
        ]),
      );
    for (const payload of ['{"wait":2500}', '{}', '{"fail":true}']) {
      const out = await s.lambda.send(
        new InvokeCommand({
          FunctionName: 'async-depth',
          InvocationType: 'Event',
          Payload: Buffer.from(payload),
        }),
      );
      expect(out.StatusCode).toBe(202);
    }
    // Concurrency is 1: while the first runs, the other two wait in the queue.
    const busy = await eventually(
      async () => {
        const st = states(await scrape());
        return st['in-flight'] === 1 ? st : undefined;
      },
      10_000,
      'the first event in flight',
    );
    expect(busy).toEqual({ queued: 2, 'in-flight': 1, retrying: 0, failed: 0 });
    const drained = await eventually(
      async () => {
        const st = states(await scrape());
        return st.queued === 0 && st['in-flight'] === 0 && st.failed === 1 ? st : undefined;
      },
      20_000,
      'the queue drained',
    );
    // Every series is there, zeros included; the succeeded two are not a depth.
    expect(drained).toEqual({ queued: 0, 'in-flight': 0, retrying: 0, failed: 1 });
  });

  it('reports SQS queue depths as ApproximateNumberOfMessages* count them', async () => {
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'depths' }))).QueueUrl!;
    const depth = (samples: Sample[]) =>
      ['visible', 'in-flight', 'delayed'].map(
        (state) => find(samples, 'nimbus_sqs_messages', { queue: 'depths', state })?.value,
      );
    const attributes = async () => {
      const a = (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        )
      ).Attributes!;
      return [
        a.ApproximateNumberOfMessages,
        a.ApproximateNumberOfMessagesNotVisible,
        a.ApproximateNumberOfMessagesDelayed,
      ].map(Number);
    };
    expect(depth(await scrape())).toEqual([0, 0, 0]);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 600 }));
    expect(depth(await scrape())).toEqual([2, 0, 1]);
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }),
    );
    expect(depth(await scrape())).toEqual([1, 1, 1]);
    expect(await attributes()).toEqual([1, 1, 1]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
    expect(depth(await scrape())).toEqual([1, 0, 1]);
    clock.advance(601_000); // the delayed message becomes visible
    expect(depth(await scrape())).toEqual([2, 0, 0]);
    expect(await attributes()).toEqual([2, 0, 0]);
  });

  it('reports each schedule with its lag (0 while the async queue takes its firings)', async () => {
    const scheduler = schedulerClient(s.url);
    await scheduler.send(
      new CreateScheduleCommand({ Name: 'hourly', ...scheduleRequest('counted', 'rate(1 hour)') }),
    );
    const lag = await eventually(async () => {
      const samples = await scrape();
      return find(samples, 'nimbus_schedule_lag_seconds', { group: 'default', schedule: 'hourly' })?.value;
    });
    expect(lag).toBe(0);
    scheduler.destroy();
  });

  it('reports the lag of an SQS event source mapping: the age of the oldest waiting message', async () => {
    await createFunction(
      s.lambda,
      'lagged',
      {
        'index.js':
          'exports.handler = async (e) => { for (const r of e.Records) await new Promise(ok => setTimeout(ok, JSON.parse(r.body).wait)); };',
      },
      { Timeout: 30 },
    );
    await sqs.send(new CreateQueueCommand({ QueueName: 'lag-source' }));
    const source = 'arn:aws:sqs:us-east-1:000000000000:lag-source';
    const { UUID } = await s.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'lagged', EventSourceArn: source, BatchSize: 1 }),
    );
    await eventually(async () =>
      (await s.lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === 'Enabled'
        ? true
        : undefined,
    );
    const labels = { mapping: UUID!, function: 'lagged', source };
    const lag = async () => find(await scrape(), 'nimbus_trigger_lag_seconds', labels)?.value;
    expect(await lag()).toBe(0);
    const QueueUrl = `${s.url}/000000000000/lag-source`;
    // The first message keeps the one poller busy; the second waits behind it.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"wait":4000}' }));
    await eventually(
      async () =>
        value(await scrape(), 'nimbus_sqs_messages', { queue: 'lag-source', state: 'in-flight' }) === 1
          ? true
          : undefined,
      10_000,
      'the first message in flight',
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"wait":0}' }));
    expect(await lag()).toBeLessThan(60);
    clock.advance(120_000);
    expect(await lag()).toBeGreaterThanOrEqual(120);
    await eventually(
      async () => {
        const samples = await scrape();
        const waiting = ['visible', 'in-flight'].map((state) =>
          value(samples, 'nimbus_sqs_messages', { queue: 'lag-source', state }),
        );
        return waiting.every((n) => n === 0) ? true : undefined;
      },
      20_000,
      'the queue drained',
    );
    expect(await lag()).toBe(0);
  });
});
