/**
 * `npm run bench [name...]`: runs the benchmarks (all by default). Each prints its figures next
 * to a baseline measured in the same run and saves them under bench/results/.
 */
import { asyncBench } from './async.bench.js';
import { httpBench } from './http.bench.js';
import { invokeBench } from './invoke.bench.js';
import { packagingBench } from './packaging.bench.js';
import { postgresBench } from './postgres.bench.js';
import { queuesBench } from './queues.bench.js';
import { s3Bench } from './s3.bench.js';
import { burstBench, coldStartBench, idleMemoryBench, throughputBench } from './scaling.bench.js';
import { schedulesBench } from './schedules.bench.js';

const BENCHES: Record<string, () => Promise<void>> = {
  invoke: invokeBench,
  coldstart: coldStartBench,
  burst: burstBench,
  throughput: throughputBench,
  'idle-memory': idleMemoryBench,
  packaging: packagingBench,
  queues: queuesBench,
  postgres: postgresBench,
  http: httpBench,
  s3: s3Bench,
  async: asyncBench,
  schedules: schedulesBench,
};

const selected = process.argv.slice(2);
for (const name of selected.length ? selected : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  await bench();
}
