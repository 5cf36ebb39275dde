import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { type NimbusProcess, spawnNimbus } from '../support/nimbus-process.js';
import { PROBE_CLIENT, type Probe, startProbe } from '../support/probe-server.js';
import { scheduleRequest, schedulerClient } from '../support/scheduler.js';
import { TEST_CREDENTIALS } from '../support/server.js';

const SCHEDULES = 20;
const REPORTER = `${PROBE_CLIENT}
exports.handler = async (event, context) => { await probe({ requestId: context.awsRequestId, event }); return 'ok'; };`;

let dataDir: string;
let probe: Probe;
let server: NimbusProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nimbus-schedule-crash-'));
  probe = await startProbe();
});
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await probe.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a kill -9 while schedules fire loses no slot and fires none twice', { timeout: 90_000 }, async () => {
  server = await spawnNimbus(['--data-dir', dataDir]);
  const lambda = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  await createFunction(
    lambda,
    'ticker',
    { 'index.js': REPORTER },
    { Environment: { Variables: { PROBE_URL: probe.url } } },
  );
  lambda.destroy();
  let scheduler: SchedulerClient = schedulerClient(server.url);
  // Each rate schedule fires its first slot as it is created: kill the server amid those firings.
  for (let i = 0; i < SCHEDULES; i++) {
    await scheduler.send(
      new CreateScheduleCommand({ Name: `s${i}`, ...scheduleRequest('ticker', 'rate(1 minute)') }),
    );
  }
  server.child.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
  scheduler.destroy();

  server = await spawnNimbus(['--data-dir', dataDir]);
  scheduler = schedulerClient(server.url);
  const bySchedule = () => {
    const m = new Map<string, { requestIds: Set<string>; times: Set<string> }>();
    for (const h of probe.hits) {
      const e = h.body.event as { resources: string[]; time: string };
      const entry = m.get(e.resources[0]!) ?? { requestIds: new Set(), times: new Set() };
      entry.requestIds.add(h.body.requestId as string);
      entry.times.add(e.time);
      m.set(e.resources[0]!, entry);
    }
    return m;
  };
  await probe.waitFor(() => bySchedule().size === SCHEDULES, 'every first slot', 60_000);
  // Give a duplicate time to show up.
  await new Promise((r) => setTimeout(r, 1_500));
  for (const [arn, seen] of bySchedule()) {
    // Runs of one event share its request id (the async path may run an event again after a
    // crash, as Lambda may): one slot, one event.
    expect({ arn, slots: seen.times.size, events: seen.requestIds.size }).toEqual({
      arn,
      slots: 1,
      events: 1,
    });
  }
  scheduler.destroy();
});
