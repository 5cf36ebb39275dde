import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { resolveServerConfig } from '../src/config/server-config.js';
import { startNimbus } from '../src/main/nimbus.js';
import { silentLogger } from '../src/observability/logger.js';
import { PROBE_CLIENT, startProbe } from '../test/support/probe-server.js';
import { ScaledClock } from '../test/support/scaled-clock.js';
import { makeZip } from '../test/support/zip.js';
import { BENCH_ROLE } from './lib/functions.js';
import { ms, ratio, saveResult, table } from './lib/report.js';

/** Schedule time runs this much faster than real time: `rate(1 minute)` fires every 100 ms. */
const FACTOR = 600;
const FIRINGS = Number(process.env.BENCH_SCHEDULE_FIRINGS ?? 36);
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** Reports, first thing, when the handler started (real epoch ms). */
const HANDLER = `${PROBE_CLIENT}
exports.handler = async (event) => { const started = Date.now(); await probe({ started, event }); return 'ok'; };`;

interface Latency {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

function percentiles(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { samples: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1]! };
}

/**
 * Schedule-to-handler-start latency: how long after a slot is due (in real time) the handler
 * starts, for `rate(1 minute)` on a clock 600 times faster than real time (the scheduler's timer,
 * the slot's commit, the async queue's commit, the dispatcher, a warm sandbox). Baseline, same run,
 * same function: a direct asynchronous Invoke's enqueue-to-start latency (the time from sending
 * the `Event` invoke to the handler's start), which is the path a firing takes after its timer.
 */
export async function schedulesBench(): Promise<void> {
  const clock = new ScaledClock(FACTOR);
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-schedules-'));
  const probe = await startProbe();
  const nimbus = await startNimbus(resolveServerConfig({ port: 0, dataDir }, {}), {
    logger: silentLogger,
    extraFeatures: [
      (app) => {
        app.scheduleClock = clock;
      },
    ],
  });
  const lambda = new LambdaClient({ endpoint: nimbus.url, region: 'us-east-1', credentials: CREDENTIALS });
  const scheduler = new SchedulerClient({
    endpoint: nimbus.url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
  });
  try {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'stamp',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: BENCH_ROLE,
        Code: { ZipFile: await makeZip({ 'index.js': HANDLER }) },
        Environment: { Variables: { PROBE_URL: probe.url } },
      }),
    );
    // Warm the sandbox so both figures measure the warm path.
    await lambda.send(new InvokeCommand({ FunctionName: 'stamp', Payload: Buffer.from('{"warm":true}') }));

    const direct: number[] = [];
    for (let i = 0; i < FIRINGS; i++) {
      const before = probe.hits.length;
      const sent = Date.now();
      await lambda.send(
        new InvokeCommand({
          FunctionName: 'stamp',
          InvocationType: 'Event',
          Payload: Buffer.from(`{"i":${i}}`),
        }),
      );
      await probe.waitFor((hits) => hits.length > before, 'the direct event');
      direct.push((probe.hits[probe.hits.length - 1]!.body.started as number) - sent);
      await new Promise((r) => setTimeout(r, 100));
    }

    const first = probe.hits.length;
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'bench',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:stamp', RoleArn: BENCH_ROLE },
      }),
    );
    await probe.waitFor((hits) => hits.length - first >= FIRINGS + 1, 'the firings', 120_000);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'bench' }));
    // The first firing is the creation slot (due while CreateSchedule is answered): left out.
    const scheduled = probe.hits
      .slice(first + 1, first + 1 + FIRINGS)
      .map(
        (h) =>
          (h.body.started as number) - clock.realTimeOf(Date.parse((h.body.event as { time: string }).time)),
      );

    const s = percentiles(scheduled);
    const d = percentiles(direct);
    console.log(
      `\nSchedule to handler start, rate(1 minute) at ${FACTOR}× (${s.samples} firings), beside direct async invokes`,
    );
    table(
      ['path', 'samples', 'p50', 'p99', 'max', 'p50 vs direct'],
      [
        [
          'schedule slot due → handler start',
          s.samples,
          ms(s.p50),
          ms(s.p99),
          ms(s.max),
          ratio(s.p50, d.p50),
        ],
        ['async Invoke sent → handler start', d.samples, ms(d.p50), ms(d.p99), ms(d.max), '1.00×'],
      ],
    );
    saveResult('schedules', { factor: FACTOR, scheduled: s, direct: d });
  } finally {
    lambda.destroy();
    scheduler.destroy();
    await nimbus.close();
    await probe.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
