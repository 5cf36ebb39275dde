import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { makeZip } from '../test/support/zip.js';
import { createBenchFunction } from './lib/functions.js';
import { type LoadResult, median, percentile, runLoad } from './lib/load.js';
import { startBaseline, startNimbusProcess } from './lib/processes.js';
import { ms, ratio, saveResult, table } from './lib/report.js';

const HELLO = resolve(import.meta.dirname, 'functions', 'hello', 'index.js');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const COLD_FUNCTIONS = 20;

/**
 * Warm synchronous Invoke of a hello function through the Lambda API at 1 and 32 connections,
 * next to a bare Node HTTP server calling the same handler in-process (same client, same run);
 * then cold starts (create, first invoke) over 20 functions.
 */
export async function invokeBench(): Promise<void> {
  const baseline = await startBaseline(HELLO);
  const nimbus = await startNimbusProcess();
  const lambda = new LambdaClient({
    endpoint: nimbus.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  try {
    const zip = await makeZip({ 'index.js': readFileSync(HELLO, 'utf8') });
    await createBenchFunction(nimbus.url, 'hello', zip);
    const body = '{"n":1}';
    const rows: (string | number)[][] = [];
    const results: Record<string, { baseline: LoadResult; nimbus: LoadResult }> = {};
    for (const connections of [1, 32]) {
      const load = { body, connections, durationMs: DURATION_MS, warmupMs: 1500 };
      const b = await runLoad({ ...load, url: `${baseline.url}/invoke` });
      const n = await runLoad({ ...load, url: `${nimbus.url}/2015-03-31/functions/hello/invocations` });
      results[`c${connections}`] = { baseline: b, nimbus: n };
      rows.push(
        [`${connections}`, 'bare node', ms(b.p50), ms(b.p99), b.rps.toFixed(0), b.errors, ''],
        [
          `${connections}`,
          'nimbus',
          ms(n.p50),
          ms(n.p99),
          n.rps.toFixed(0),
          n.errors,
          `p50 ${ratio(n.p50, b.p50)}, rps ${ratio(n.rps, b.rps)}, +${(n.p50 - b.p50).toFixed(3)} ms`,
        ],
      );
    }
    console.log('\nWarm synchronous invoke (hello function)');
    table(['conns', 'server', 'p50', 'p99', 'req/s', 'errors', 'nimbus vs bare'], rows);

    const cold: { total: number; init: number }[] = [];
    for (let i = 0; i < COLD_FUNCTIONS; i++) {
      const name = `cold-${i}`;
      const distinct = await makeZip({ 'index.js': `${readFileSync(HELLO, 'utf8')}\n// ${i}\n` });
      const t = performance.now();
      await createBenchFunction(nimbus.url, name, distinct);
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: Buffer.from(body) }),
      );
      const total = performance.now() - t;
      const tail = Buffer.from(out.LogResult ?? '', 'base64').toString();
      const init = Number(/Init Duration: ([\d.]+) ms/.exec(tail)?.[1] ?? Number.NaN);
      cold.push({ total, init });
    }
    const totals = cold.map((c) => c.total).sort((a, b) => a - b);
    const inits = cold.map((c) => c.init).sort((a, b) => a - b);
    console.log(
      `\nCold start over ${COLD_FUNCTIONS} functions (deploy + first invoke, client side; Init Duration from REPORT)`,
    );
    table(
      ['measure', 'p50', 'p99'],
      [
        ['deploy + first invoke', ms(median(totals)), ms(percentile(totals, 0.99))],
        ['Init Duration', ms(median(inits)), ms(percentile(inits, 0.99))],
      ],
    );
    saveResult('invoke', { durationMs: DURATION_MS, warm: results, cold: { totals, inits } });
  } finally {
    lambda.destroy();
    await nimbus.stop();
    await baseline.stop();
  }
}
