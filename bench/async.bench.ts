import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeZip } from '../test/support/zip.js';
import { createBenchFunction } from './lib/functions.js';
import { type LoadResult, runLoad } from './lib/load.js';
import { type RunningProcess, startNimbusProcess } from './lib/processes.js';
import { ms, ratio, saveResult, table } from './lib/report.js';

const FUNCTIONS = resolve(import.meta.dirname, 'functions');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = 1500;
const CONNECTIONS = 32;
/** Concurrent executions of the server: the same for the synchronous and the asynchronous figures. */
const CONCURRENCY = 32;
const DRAIN_TIMEOUT_MS = 300_000;

interface Drain {
  events: number;
  seconds: number;
  perSecond: number;
  /** The longest stretch without a single event finishing (a stall, or a starved machine). */
  longestStallMs: number;
}

interface DurabilityResult {
  durability: string;
  /** Event invokes accepted while no concurrency was free: the queue alone. */
  accept: LoadResult;
  /** The backlog that built up, drained with nothing else running. */
  drain: Drain;
  /** Event invokes accepted while the dispatcher drains at the same time (both share the CPU). */
  mixedAccept: LoadResult;
  mixedDrain: Drain;
}

/**
 * Asynchronous invocation of a no-op function beside the synchronous invoke rate of the same
 * function on the same server in the same run, once per durability level (`process`, `power`):
 * - accepted: Event invokes per second at 32 connections, each answered 202 only once committed,
 *   measured while long synchronous invocations hold every concurrency slot (nothing drains);
 * - drained: that backlog run end to end (claim, sandbox, record) at concurrency 32;
 * - mixed: accepting and draining at the same time, as under a real flood.
 */
export async function asyncBench(): Promise<void> {
  const noop = await makeZip({ 'index.js': readFileSync(resolve(FUNCTIONS, 'noop', 'index.js'), 'utf8') });
  const hold = await makeZip({ 'index.js': readFileSync(resolve(FUNCTIONS, 'hold', 'index.js'), 'utf8') });
  const body = '{"n":1}';
  let sync: LoadResult | undefined;
  const results: DurabilityResult[] = [];
  for (const durability of ['process', 'power']) {
    const nimbus = await startNimbusProcess([
      '--concurrency',
      String(CONCURRENCY),
      '--async-durability',
      durability,
    ]);
    try {
      await createBenchFunction(nimbus.url, 'noop', noop, { Timeout: 3 });
      await createBenchFunction(nimbus.url, 'hold', hold, { Timeout: 60 });
      const invokeUrl = `${nimbus.url}/2015-03-31/functions/noop/invocations`;
      const load = { body, connections: CONNECTIONS, durationMs: DURATION_MS, warmupMs: WARMUP_MS };
      const event = { ...load, url: invokeUrl, headers: { 'x-amz-invocation-type': 'Event' } };
      sync ??= await runLoad({ ...load, url: invokeUrl });

      // Under load the 32 holders start seconds apart; the margin keeps the first from ending early.
      const held = await holdConcurrency(nimbus, WARMUP_MS + DURATION_MS + 8000);
      const accept = await runLoad(event);
      await held.ended;
      const drain = await measureDrain(nimbus);

      const mixedAccept = await runLoad(event);
      const mixedDrain = await measureDrain(nimbus);
      results.push({ durability, accept, drain, mixedAccept, mixedDrain });
    } finally {
      await nimbus.stop();
    }
  }
  const s = sync!;
  console.log(
    `\nAsynchronous invoke of a no-op function (${CONNECTIONS} connections, concurrency ${CONCURRENCY})`,
  );
  const rate = (name: string, d: string, r: LoadResult) => [
    name,
    d,
    r.rps.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    r.errors,
    ratio(r.rps, s.rps),
  ];
  const drained = (name: string, d: string, r: Drain) => [
    `${name} (${r.events} events)`,
    d,
    r.perSecond.toFixed(0),
    '',
    '',
    '',
    ratio(r.perSecond, s.rps),
  ];
  table(
    ['measure', 'durability', 'per second', 'p50', 'p99', 'errors', 'vs sync'],
    [
      rate('sync Invoke (RequestResponse)', '-', s),
      ...results.flatMap((r) => [
        rate('Event accepted, queue only', r.durability, r.accept),
        drained('backlog drained end to end', r.durability, r.drain),
        rate('Event accepted while draining', r.durability, r.mixedAccept),
        drained('then drained', r.durability, r.mixedDrain),
      ]),
    ],
  );
  saveResult('async', {
    durationMs: DURATION_MS,
    connections: CONNECTIONS,
    concurrency: CONCURRENCY,
    sync: s,
    results,
  });
}

/**
 * Fills every concurrency slot with a synchronous invocation that sleeps `holdMs`, so queued
 * events cannot run; resolves once all are running, with a promise of their end (wrapped: an
 * async function returning a promise would wait for it).
 */
async function holdConcurrency(nimbus: RunningProcess, holdMs: number): Promise<{ ended: Promise<void> }> {
  const ended = Promise.all(
    Array.from({ length: CONCURRENCY }, () =>
      fetch(`${nimbus.url}/2015-03-31/functions/hold/invocations`, {
        method: 'POST',
        body: JSON.stringify({ ms: holdMs }),
      }).then((r) => r.arrayBuffer()),
    ),
  ).then(() => undefined);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await (await fetch(`${nimbus.url}/nimbus/v1/status`)).json()) as {
      concurrency: { inFlight: number };
    };
    if (status.concurrency.inFlight >= CONCURRENCY) return { ended };
    if (Date.now() > deadline) throw new Error('could not fill the concurrency with held invocations');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** From now until nothing is queued, in flight or retrying: events that succeeded per second. */
async function measureDrain(nimbus: RunningProcess): Promise<Drain> {
  const counts = async () => {
    const r = (await (await fetch(`${nimbus.url}/nimbus/v1/functions/noop/events?limit=1`)).json()) as {
      counts: Record<string, number>;
    };
    const c = r.counts;
    return {
      waiting: (c.queued ?? 0) + (c['in-flight'] ?? 0) + (c.retrying ?? 0),
      succeeded: c.succeeded ?? 0,
      failed: c.failed ?? 0,
    };
  };
  const t0 = performance.now();
  const start = await counts();
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let now = start;
  let progressAt = performance.now();
  let longestStallMs = 0;
  while (now.waiting > 0) {
    if (Date.now() > deadline) throw new Error(`the backlog did not drain in ${DRAIN_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
    const before = now.succeeded;
    now = await counts();
    if (now.succeeded > before) {
      longestStallMs = Math.max(longestStallMs, performance.now() - progressAt);
      progressAt = performance.now();
    }
  }
  if (now.failed > 0) throw new Error(`${now.failed} events failed`);
  const seconds = (performance.now() - t0) / 1000;
  const events = now.succeeded - start.succeeded;
  return { events, seconds, perSecond: events / seconds, longestStallMs };
}
