import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeZip } from '../test/support/zip.js';
import { type LoadResult, runLoad } from './lib/load.js';
import { freePort, type RunningProcess, startNimbusProcess, waitHealthy } from './lib/processes.js';
import { ms, ratio, saveResult, table } from './lib/report.js';
import { installServerlessOffline, startServerlessOffline } from './lib/serverless-offline.js';

const HANDLER = resolve(import.meta.dirname, 'functions', 'http-hello', 'index.js');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONNECTIONS = [1, 64];

interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

/**
 * HTTP requests to one handler through a function URL and through an HTTP API route (payload
 * 2.0), at 1 and 64 connections, beside a bare Node server calling the same handler in-process
 * and, when it installs, serverless-offline; all measured in the same run with the same client.
 */
export async function httpBench(): Promise<void> {
  const running: RunningProcess[] = [];
  try {
    const baseline = await startHttpBaseline();
    running.push(baseline);
    const nimbus = await startNimbusProcess();
    running.push(nimbus);
    const { urlHost, apiHost } = await deploy(nimbus.url);
    const targets: Target[] = [
      { name: 'bare node', url: `${baseline.url}/hello` },
      { name: 'nimbus function URL', url: `${nimbus.url}/hello`, headers: { host: urlHost } },
      { name: 'nimbus HTTP API route', url: `${nimbus.url}/hello`, headers: { host: apiHost } },
    ];
    const slsDir = await installServerlessOffline();
    if (slsDir) {
      for (const inProcess of [false, true]) {
        const sls = await startServerlessOffline(slsDir, HANDLER, { inProcess });
        running.push(sls);
        targets.push({
          name: `serverless-offline${inProcess ? ' (in-process)' : ''}`,
          url: `${sls.url}/hello`,
        });
      }
    }

    const results: Record<string, Record<string, LoadResult>> = {};
    const rows: (string | number)[][] = [];
    for (const connections of CONNECTIONS) {
      let bare: LoadResult | undefined;
      for (const t of targets) {
        const r = await runLoad({
          url: t.url,
          method: 'GET',
          ...(t.headers ? { headers: t.headers } : {}),
          connections,
          durationMs: DURATION_MS,
          warmupMs: 1500,
        });
        bare ??= r;
        results[t.name] = { ...results[t.name], [`c${connections}`]: r };
        rows.push([
          connections,
          t.name,
          ms(r.p50),
          ms(r.p99),
          r.rps.toFixed(0),
          r.errors,
          r === bare ? '' : `p50 ${ratio(r.p50, bare.p50)}, rps ${ratio(r.rps, bare.rps)}`,
        ]);
      }
    }
    console.log('\nHTTP requests to a hello handler (GET, keep-alive)');
    table(['conns', 'server', 'p50', 'p99', 'req/s', 'errors', 'vs bare'], rows);
    saveResult('http', { durationMs: DURATION_MS, results });
  } finally {
    for (const p of running.reverse()) await p.stop();
  }
}

async function deploy(url: string): Promise<{ urlHost: string; apiHost: string }> {
  const zip = await makeZip({ 'index.js': readFileSync(HANDLER, 'utf8') });
  await call(url, 'POST', '/2015-03-31/functions', 201, {
    FunctionName: 'http-hello',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: 'arn:aws:iam::000000000000:role/bench',
    Code: { ZipFile: zip.toString('base64') },
  });
  const fnUrl = (await call(url, 'POST', '/2021-10-31/functions/http-hello/url', 201, {
    AuthType: 'NONE',
  })) as {
    FunctionUrl: string;
  };
  const api = (await call(url, 'POST', '/v2/apis', 201, {
    name: 'bench',
    protocolType: 'HTTP',
    target: 'arn:aws:lambda:us-east-1:000000000000:function:http-hello',
  })) as { apiEndpoint: string };
  return { urlHost: new URL(fnUrl.FunctionUrl).host, apiHost: new URL(api.apiEndpoint).host };
}

async function call(
  base: string,
  method: string,
  path: string,
  status: number,
  body: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method, body: JSON.stringify(body) });
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function startHttpBaseline(): Promise<RunningProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [resolve(import.meta.dirname, 'http-baseline-server.mjs'), HANDLER, String(port)],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/healthz`, child);
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
