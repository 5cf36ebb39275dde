import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { makeZip } from '../test/support/zip.js';
import { createBenchFunction } from './lib/functions.js';
import { median, percentile } from './lib/load.js';
import { startNimbusProcess } from './lib/processes.js';
import { ms, saveResult, table } from './lib/report.js';

const HELLO = resolve(import.meta.dirname, 'functions', 'hello', 'index.js');
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 5);
const COLD = Number(process.env.BENCH_COLD ?? 10);

/** A real npm dependency pinned by a lock file (installed from the registry at each deploy). */
const LOCK = {
  name: 'fn',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3' } },
    'node_modules/ms': {
      version: '2.1.3',
      resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz',
      integrity:
        'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
    },
  },
};

/**
 * Deploy time (CreateFunction with the zip until GetFunction says Active) for a function without
 * dependencies (the baseline) and one whose `ms` dependency npm installs at deploy; then cold
 * starts (Init Duration) of the Python runtime beside the Node.js one, each on a fresh function.
 */
export async function packagingBench(): Promise<void> {
  const nimbus = await startNimbusProcess();
  const lambda = new LambdaClient({
    endpoint: nimbus.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  try {
    const plain: number[] = [];
    const withDeps: number[] = [];
    for (let i = 0; i < DEPLOYS; i++) {
      // Distinct zips, so no build is reused from an earlier deploy.
      const hello = await makeZip({ 'index.js': `${readFileSync(HELLO, 'utf8')}\n// ${i}\n` });
      plain.push(await deployToActive(nimbus.url, `plain-${i}`, hello, 'nodejs20.x', 'index.handler'));
      const deps = await makeZip({
        'package.json': JSON.stringify(LOCK.packages['']),
        'package-lock.json': JSON.stringify(LOCK),
        'index.js': `const ms = require('ms'); exports.handler = async () => ms('1h'); // ${i}`,
      });
      withDeps.push(await deployToActive(nimbus.url, `deps-${i}`, deps, 'nodejs20.x', 'index.handler'));
    }
    console.log(`\nDeploy time, zip upload to Active (${DEPLOYS} deploys each)`);
    table(
      ['function', 'p50', 'max', 'vs no dependencies'],
      [
        ['no dependencies (baseline)', ms(median(sorted(plain))), ms(Math.max(...plain)), ''],
        [
          'npm dependency (npm ci at deploy)',
          ms(median(sorted(withDeps))),
          ms(Math.max(...withDeps)),
          `+${ms(median(sorted(withDeps)) - median(sorted(plain)))}`,
        ],
      ],
    );

    const init: Record<string, number[]> = { node: [], python: [] };
    for (let i = 0; i < COLD; i++) {
      await deployToActive(
        nimbus.url,
        `cold-node-${i}`,
        await makeZip({ 'index.js': `exports.handler = async () => ${i};` }),
        'nodejs20.x',
        'index.handler',
      );
      await deployToActive(
        nimbus.url,
        `cold-py-${i}`,
        await makeZip({ 'lambda_function.py': `def lambda_handler(e, c):\n    return ${i}\n` }),
        'python3.11',
        'lambda_function.lambda_handler',
      );
      for (const [family, name] of [
        ['node', `cold-node-${i}`],
        ['python', `cold-py-${i}`],
      ] as const) {
        const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
        const tail = Buffer.from(out.LogResult ?? '', 'base64').toString();
        init[family]!.push(Number(/Init Duration: ([\d.]+) ms/.exec(tail)?.[1] ?? Number.NaN));
      }
    }
    console.log(`\nCold start, Init Duration from REPORT (${COLD} functions each)`);
    table(
      ['runtime', 'p50', 'p99', 'vs Node.js'],
      [
        [
          'nodejs20.x (baseline)',
          ms(median(sorted(init.node!))),
          ms(percentile(sorted(init.node!), 0.99)),
          '',
        ],
        [
          'python3.11',
          ms(median(sorted(init.python!))),
          ms(percentile(sorted(init.python!), 0.99)),
          `${(median(sorted(init.python!)) / median(sorted(init.node!))).toFixed(2)}×`,
        ],
      ],
    );
    saveResult('packaging', { deploy: { plain, withDeps }, coldInit: init });
  } finally {
    lambda.destroy();
    await nimbus.stop();
  }
}

function sorted(xs: number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

async function deployToActive(url: string, name: string, zip: Buffer, runtime: string, handler: string) {
  const t = performance.now();
  let state = (await createBenchFunction(url, name, zip, { Runtime: runtime, Handler: handler })).State;
  while (state === 'Pending') {
    await new Promise((r) => setTimeout(r, 20));
    const got = await fetch(`${url}/2015-03-31/functions/${name}/configuration`);
    state = ((await got.json()) as { State: string }).State;
  }
  if (state !== 'Active') throw new Error(`${name} ended ${state}`);
  return performance.now() - t;
}
