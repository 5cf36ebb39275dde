import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main/app.js';
import { createFunction } from '../support/functions.js';
import { PROBE_CLIENT, type Probe, type ProbeHit, startProbe } from '../support/probe-server.js';
import { ScaledClock } from '../support/scaled-clock.js';
import { fnArn, SCHEDULER_ROLE, scheduleRequest, schedulerClient } from '../support/scheduler.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { eventually, sqsClient } from '../support/sqs.js';

/** A minute of schedule time passes in a second of real time; sandboxes keep real time. */
const FACTOR = 60;
const clock = new ScaledClock(FACTOR);
const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-schedules-'));
let s: TestServer;
let app: App;
let scheduler: SchedulerClient;
let probe: Probe;

const REPORTER = `${PROBE_CLIENT}
exports.handler = async (event, context) => {
  await probe({ fn: context.functionName, requestId: context.awsRequestId, event, at: Date.now() });
  return 'ok';
};`;

async function start(): Promise<void> {
  s = await startTestServer(
    {},
    {
      dataDir,
      extraFeatures: [
        (a) => {
          a.scheduleClock = clock;
          app = a;
        },
      ],
    },
  );
  scheduler = schedulerClient(s.url);
}

async function stop(): Promise<void> {
  scheduler.destroy();
  await s.close();
}

beforeAll(async () => {
  probe = await startProbe();
  await start();
  const env = { Environment: { Variables: { PROBE_URL: probe.url } } };
  await createFunction(s.lambda, 'ticker', { 'index.js': REPORTER }, env);
  await createFunction(s.lambda, 'doomed', { 'index.js': REPORTER }, env);
});
afterAll(async () => {
  await stop();
  await probe.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const eventsOf = (scheduleArn: string): ProbeHit[] =>
  probe.hits.filter((h) => (h.body.event as { resources?: string[] }).resources?.[0] === scheduleArn);
const timesOf = (scheduleArn: string) =>
  eventsOf(scheduleArn).map((h) => (h.body.event as { time: string }).time);

describe('schedules deliver through the asynchronous invoke path', () => {
  it('runs the function once per firing with the scheduled event', async () => {
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({ Name: 'every-minute', ...scheduleRequest('ticker', 'rate(1 minute)') }),
    );
    await probe.waitFor(() => eventsOf(ScheduleArn!).length >= 3, 'three firings');
    await scheduler.send(new DeleteScheduleCommand({ Name: 'every-minute' }));
    const hits = eventsOf(ScheduleArn!);
    const first = hits[0]!.body;
    expect(first.fn).toBe('ticker');
    expect(first.event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [ScheduleArn],
      detail: '{}',
    });
    // A minute apart in schedule time, each its own event and request.
    const times = hits.map((h) => Date.parse((h.body.event as { time: string }).time));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(60_000);
    expect(new Set(hits.map((h) => h.body.requestId)).size).toBe(hits.length);
    expect(new Set(hits.map((h) => (h.body.event as { id: string }).id)).size).toBe(hits.length);
    // Each went through the durable queue: the async event list knows them by their request id.
    const res = await fetch(`${s.url}/nimbus/v1/functions/ticker/events?state=succeeded`);
    const listed = ((await res.json()) as { events: { requestId: string }[] }).events.map((e) => e.requestId);
    for (const h of hits) expect(listed).toContain(h.body.requestId);
  });

  it('passes Input through verbatim', async () => {
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'with-input',
        ...scheduleRequest('ticker', 'rate(1 minute)'),
        Target: { Arn: fnArn('ticker'), RoleArn: SCHEDULER_ROLE, Input: '{"job":"cleanup","n":1}' },
      }),
    );
    await probe.waitFor(
      (hits) => hits.some((h) => (h.body.event as { job?: string }).job === 'cleanup'),
      'the Input event',
    );
    await scheduler.send(new DeleteScheduleCommand({ Name: 'with-input' }));
    const hit = probe.hits.find((h) => (h.body.event as { job?: string }).job === 'cleanup')!;
    expect(hit.body.event).toEqual({ job: 'cleanup', n: 1 });
  });

  it('a restart neither fires a slot twice nor replays more than the latest missed one', async () => {
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({ Name: 'survivor', ...scheduleRequest('ticker', 'rate(1 minute)') }),
    );
    const arn = ScheduleArn!;
    await probe.waitFor(() => eventsOf(arn).length >= 2, 'two firings before the restart');
    await stop();
    const before = timesOf(arn).length;
    // Down for about four schedule minutes.
    await new Promise((r) => setTimeout(r, 4_000));
    await start();
    await probe.waitFor(() => eventsOf(arn).length >= before + 3, 'firings after the restart');
    await scheduler.send(new DeleteScheduleCommand({ Name: 'survivor' }));
    const times = timesOf(arn).map(Date.parse);
    expect(new Set(times).size).toBe(times.length);
    // Across the downtime: one catch-up firing (the latest missed slot), not one per missed slot.
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 60_000);
    expect(gaps.filter((g) => g > 1)).toHaveLength(1);
    expect(gaps.filter((g) => g !== 1 && g < 3)).toEqual([]);
  });

  it('the async queue takes a request id it already holds once', async () => {
    const invoker = app.eventInvoker!;
    const requestId = '6a1f1f4e-0000-5000-8000-000000000001';
    const payload = Buffer.from('{"dedupe":true}');
    await invoker.invokeAsync({ ref: { name: 'ticker' }, payload, requestId });
    await invoker.invokeAsync({ ref: { name: 'ticker' }, payload, requestId });
    await probe.waitFor((hits) => hits.some((h) => h.body.requestId === requestId), 'the event');
    await new Promise((r) => setTimeout(r, 500));
    expect(probe.hits.filter((h) => h.body.requestId === requestId)).toHaveLength(1);
  });

  it('sends the event to the dead-letter queue when the function is gone', async () => {
    const sqs = sqsClient(s.url);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'schedule-dlq' }));
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({
        Name: 'orphan',
        ...scheduleRequest('doomed', 'rate(1 hour)', { StartDate: new Date(clock.now() + 60_000) }),
        Target: {
          Arn: fnArn('doomed'),
          RoleArn: SCHEDULER_ROLE,
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:schedule-dlq' },
        },
      }),
    );
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }));
    const message = await eventually(
      async () =>
        (
          await sqs.send(
            new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
          )
        ).Messages?.[0],
      20_000,
      'the dead-lettered event',
    );
    expect(JSON.parse(message.Body!).resources).toEqual([ScheduleArn]);
    expect(message.MessageAttributes?.ERROR_CODE?.StringValue).toBe('ResourceNotFoundException');
    expect(message.MessageAttributes?.SCHEDULE_ARN?.StringValue).toBe(ScheduleArn);
    expect(message.MessageAttributes?.TARGET_ARN?.StringValue).toBe(fnArn('doomed'));
    // The schedule itself stays, as on AWS.
    expect((await scheduler.send(new GetScheduleCommand({ Name: 'orphan' }))).State).toBe('ENABLED');
    await scheduler.send(new DeleteScheduleCommand({ Name: 'orphan' }));
    const gone = await scheduler.send(new GetScheduleCommand({ Name: 'orphan' })).catch((e) => e);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    sqs.destroy();
  });
});
