import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { processTree } from '../src/sandbox/proc.js';
import { makeZip } from '../test/support/zip.js';
import { createBenchFunction } from './lib/functions.js';
import { type LoadResult, median, percentile, runLoad } from './lib/load.js';
import { type RunningProcess, startBaseline, startNimbusProcess } from './lib/processes.js';
import { ms, ratio, saveResult, table } from './lib/report.js';

/**
 * The sandbox-scaling benchmarks (issue 4), each beside a bare-Node baseline from the same run:
 * cold starts with and without pre-started runtimes, a burst of 100 requests at a function scaled
 * to zero, sustained throughput at 64 connections, and the server's memory with 1,000 functions.
 */
const HELLO = resolve(import.meta.dirname, 'functions', 'hello', 'index.js');
const HELLO_CODE = readFileSync(HELLO, 'utf8');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 30);
const BURST = 100;
const IDLE_FUNCTIONS = Number(process.env.BENCH_IDLE_FUNCTIONS ?? 1000);

async function createFn(url: string, name: string, code = HELLO_CODE): Promise<void> {
  await createBenchFunction(url, name, await makeZip({ 'index.js': code }));
}

async function invoke(url: string, name: string): Promise<{ ms: number; init?: number; ok: boolean }> {
  const t = performance.now();
  const res = await fetch(`${url}/2015-03-31/functions/${name}/invocations`, {
    method: 'POST',
    body: '{"n":1}',
    headers: { 'x-amz-log-type': 'Tail' },
  });
  await res.arrayBuffer();
  const elapsed = performance.now() - t;
  const tail = Buffer.from(res.headers.get('x-amz-log-result') ?? '', 'base64').toString();
  const init = /Init Duration: ([\d.]+) ms/.exec(tail)?.[1];
  return {
    ms: elapsed,
    ...(init ? { init: Number(init) } : {}),
    ok: res.status === 200 && !res.headers.has('x-amz-function-error'),
  };
}

interface Status {
  isolation: string;
  sandboxing: { isolation: string; limits: string; prestart: number };
  sandboxes: { sandboxes: number; executor: { zygotesReady: number } };
}
const status = async (url: string) => (await (await fetch(`${url}/nimbus/v1/status`)).json()) as Status;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bare Node: a fresh process that loads the handler and runs it once. */
function bareColdStart(): Promise<number> {
  return new Promise((ok, fail) => {
    const t = performance.now();
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(HELLO)}).handler({n:1}).then((r) => process.stdout.write(JSON.stringify(r)))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH ?? '/usr/bin' } },
    );
    child.stdout.resume();
    child.on('exit', (code) => (code === 0 ? ok(performance.now() - t) : fail(new Error(`exit ${code}`))));
  });
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: median(s), p99: percentile(s, 0.99), n: s.length };
};

/** Cold starts (deploy a new function, invoke it) with pre-started runtimes and without. */
export async function coldStartBench(): Promise<void> {
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) bare.push(await bareColdStart());
  const results: Record<string, { client: ReturnType<typeof summary>; init: ReturnType<typeof summary> }> =
    {};
  let isolation = '';
  for (const prestart of [2, 0]) {
    const nimbus = await startNimbusProcess(['--prestart', String(prestart), '--concurrency', '1000']);
    try {
      const st = await status(nimbus.url);
      isolation = `${st.sandboxing.isolation}, limits ${st.sandboxing.limits}`;
      const client: number[] = [];
      const init: number[] = [];
      for (let i = 0; i < COLD_STARTS; i++) {
        const name = `cold-${i}`;
        await createFn(nimbus.url, name, `${HELLO_CODE}\n// ${i}\n`);
        // Steady state: the pool has refilled since the last cold start.
        if (prestart > 0) {
          await until(
            'pre-started runtimes',
            async () => (await status(nimbus.url)).sandboxes.executor.zygotesReady >= prestart,
          );
        }
        const r = await invoke(nimbus.url, name);
        if (!r.ok || r.init === undefined) throw new Error(`cold start ${name} failed`);
        client.push(r.ms);
        init.push(r.init);
      }
      results[prestart > 0 ? 'prestarted' : 'fresh'] = { client: summary(client), init: summary(init) };
    } finally {
      await nimbus.stop();
    }
  }
  const b = summary(bare);
  console.log(`\nCold start: deploy a new function, first invoke (${COLD_STARTS} functions, ${isolation})`);
  const row = (
    label: string,
    r: { client: ReturnType<typeof summary>; init: ReturnType<typeof summary> },
  ) => [
    label,
    ms(r.init.p50),
    ms(r.init.p99),
    ms(r.client.p50),
    ms(r.client.p99),
    `invoke p50 ${ratio(r.client.p50, b.p50)} of bare`,
  ];
  table(
    ['', 'Init p50', 'Init p99', 'invoke p50', 'invoke p99', 'vs bare Node'],
    [
      ['bare node (spawn, load, run)', '', '', ms(b.p50), ms(b.p99), ''],
      row('nimbus, pre-started runtimes', results.prestarted!),
      row('nimbus, fresh processes', results.fresh!),
    ],
  );
  saveResult('coldstart', { isolation, bare: b, ...results });
}

/** Fires `n` requests at once, each on its own connection; latencies in ms. */
async function burst(url: string, n: number): Promise<{ latencies: number[]; errors: number }> {
  const agent = new Agent({ keepAlive: false, maxSockets: n });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((done) => {
          const t = performance.now();
          const req = request(
            { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST' },
            (res) => {
              res.resume();
              res.on('end', () => {
                if ((res.statusCode ?? 500) === 200 && !res.headers['x-amz-function-error']) {
                  latencies.push(performance.now() - t);
                } else errors++;
                done();
              });
            },
          );
          req.on('error', () => {
            errors++;
            done();
          });
          req.end('{"n":1}');
        }),
    ),
  );
  agent.destroy();
  return { latencies, errors };
}

/** 100 concurrent requests at a function that has scaled to zero. */
export async function burstBench(): Promise<void> {
  const baseline = await startBaseline(HELLO);
  const nimbus = await startNimbusProcess([
    '--idle-timeout',
    '1',
    '--keep-alive',
    'fixed',
    '--concurrency',
    '1000',
  ]);
  try {
    const b = await burst(`${baseline.url}/invoke`, BURST);
    const runs: { p50: number; p99: number; errors: number; sandboxes: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const name = `burst-${round}`;
      await createFn(nimbus.url, name);
      // Woken once and scaled back to zero: no sandbox of it is left.
      await invoke(nimbus.url, name);
      await until('scale to zero', async () => (await status(nimbus.url)).sandboxes.sandboxes === 0);
      const r = await burst(`${nimbus.url}/2015-03-31/functions/${name}/invocations`, BURST);
      const s = summary(r.latencies);
      const st = (await (await fetch(`${nimbus.url}/nimbus/v1/functions/${name}/status`)).json()) as {
        sandboxes: { sandboxes: number };
      };
      runs.push({ p50: s.p50, p99: s.p99, errors: r.errors, sandboxes: st.sandboxes.sandboxes });
    }
    const bs = summary(b.latencies);
    const mid = runs.map((r) => r.p99).sort((x, y) => x - y)[1]!;
    const chosen = runs.find((r) => r.p99 === mid)!;
    console.log(
      `\nBurst: ${BURST} concurrent requests at a function scaled to zero (median of 3 rounds by p99)`,
    );
    table(
      ['server', 'p50', 'p99', 'errors', 'sandboxes used', 'vs bare'],
      [
        ['bare node (warm)', ms(bs.p50), ms(bs.p99), b.errors, '', ''],
        [
          'nimbus (from zero)',
          ms(chosen.p50),
          ms(chosen.p99),
          chosen.errors,
          chosen.sandboxes,
          `p99 +${(chosen.p99 - bs.p99).toFixed(1)} ms`,
        ],
      ],
    );
    saveResult('burst', { burst: BURST, baseline: { ...bs, errors: b.errors }, rounds: runs });
  } finally {
    await nimbus.stop();
    await baseline.stop();
  }
}

/** Sustained warm invokes at 64 connections. */
export async function throughputBench(): Promise<void> {
  const baseline = await startBaseline(HELLO);
  const nimbus = await startNimbusProcess(['--concurrency', '1000']);
  try {
    await createFn(nimbus.url, 'hello');
    const load = { body: '{"n":1}', connections: 64, durationMs: DURATION_MS, warmupMs: 2000 };
    const b = await runLoad({ ...load, url: `${baseline.url}/invoke` });
    const n = await runLoad({ ...load, url: `${nimbus.url}/2015-03-31/functions/hello/invocations` });
    const st = (await (await fetch(`${nimbus.url}/nimbus/v1/functions/hello/status`)).json()) as {
      sandboxes: { sandboxes: number };
    };
    const rows = (label: string, r: LoadResult, note = '') => [
      label,
      ms(r.p50),
      ms(r.p99),
      r.rps.toFixed(0),
      r.errors,
      note,
    ];
    console.log('\nSustained throughput at 64 connections (hello function)');
    table(
      ['server', 'p50', 'p99', 'req/s', 'errors', ''],
      [
        rows('bare node', b),
        rows('nimbus', n, `rps ${ratio(n.rps, b.rps)}, ${st.sandboxes.sandboxes} sandboxes`),
      ],
    );
    saveResult('throughput', {
      durationMs: DURATION_MS,
      baseline: b,
      nimbus: n,
      sandboxes: st.sandboxes.sandboxes,
    });
  } finally {
    await nimbus.stop();
    await baseline.stop();
  }
}

function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Server memory with 1,000 deployed functions, idle (each invoked once, then scaled to zero). */
export async function idleMemoryBench(): Promise<void> {
  const baseline = await startBaseline(HELLO);
  const nimbus: RunningProcess = await startNimbusProcess([
    '--idle-timeout',
    '1',
    '--keep-alive',
    'fixed',
    '--concurrency',
    '1000',
  ]);
  try {
    const bare = rssMb(baseline.child.pid);
    const empty = rssMb(nimbus.child.pid);
    for (let i = 0; i < IDLE_FUNCTIONS; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => createFn(nimbus.url, `idle-${i + j}`)));
    }
    const deployed = rssMb(nimbus.child.pid);
    for (let i = 0; i < IDLE_FUNCTIONS; i += 4) {
      await Promise.all(Array.from({ length: 4 }, (_, j) => invoke(nimbus.url, `idle-${i + j}`)));
    }
    await until(
      'every function to scale to zero',
      async () => (await status(nimbus.url)).sandboxes.sandboxes === 0,
      120_000,
    );
    (global as { gc?: () => void }).gc?.();
    const idle = rssMb(nimbus.child.pid);
    // What else runs: the pre-started runtimes (their processes, bubblewrap's included).
    const others = processTree(nimbus.child.pid!).filter((pid) => pid !== nimbus.child.pid);
    const prestarted = others.reduce((sum, pid) => sum + rssMb(pid), 0);
    console.log(`\nServer memory (RSS of the server process) with ${IDLE_FUNCTIONS} functions`);
    table(
      ['', 'RSS'],
      [
        ['bare node server (baseline)', `${bare.toFixed(1)} MB`],
        ['nimbus, no function', `${empty.toFixed(1)} MB`],
        [`nimbus, ${IDLE_FUNCTIONS} deployed`, `${deployed.toFixed(1)} MB`],
        [`nimbus, ${IDLE_FUNCTIONS} invoked once, scaled to zero`, `${idle.toFixed(1)} MB`],
        [`  + pre-started runtimes (${others.length} processes)`, `${prestarted.toFixed(1)} MB`],
      ],
    );
    saveResult('idle-memory', {
      functions: IDLE_FUNCTIONS,
      bareMb: bare,
      emptyMb: empty,
      deployedMb: deployed,
      idleMb: idle,
      prestartedMb: prestarted,
    });
  } finally {
    await nimbus.stop();
    await baseline.stop();
  }
}
