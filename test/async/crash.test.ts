import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { freePort, type NimbusProcess, spawnNimbus } from '../support/nimbus-process.js';
import { PROBE_CLIENT, type Probe, startProbe } from '../support/probe-server.js';
import { TEST_CREDENTIALS } from '../support/server.js';

const EVENTS = 2_000;
const KILL_AFTER_ACKS = 1_000;
const SENDERS = 32;

let probe: Probe | undefined;
let server: NimbusProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-crash-'));

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await probe?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** POSTs one Event invoke; resolves with the request id of a 202, or undefined if not acknowledged. */
function sendEvent(agent: Agent, url: string, n: number): Promise<string | undefined> {
  const target = new URL(`${url}/2015-03-31/functions/counter/invocations`);
  const body = Buffer.from(JSON.stringify({ n }));
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'x-amz-invocation-type': 'Event', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const id = res.headers['x-amzn-requestid'];
          resolve(res.statusCode === 202 && typeof id === 'string' ? id : undefined);
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/** Sends events `ns` from SENDERS concurrent connections; `onAck` may stop the run (returns true). */
async function sendAll(
  url: string,
  ns: number[],
  acked: Map<number, string>,
  onAck: () => boolean = () => false,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
  const queue = [...ns];
  let stop = false;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (!stop && queue.length > 0) {
        const n = queue.shift()!;
        const id = await sendEvent(agent, url, n);
        if (id) {
          acked.set(n, id);
          if (onAck()) stop = true;
        }
      }
    }),
  );
  agent.destroy();
}

it('runs every acknowledged event at least once across a SIGKILL of the server', {
  timeout: 180_000,
}, async () => {
  probe = await startProbe();
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--concurrency',
    '8',
    '--async-delay-scale',
    '0.001',
  ];
  server = await spawnNimbus(args);
  const lambda = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  await createFunction(
    lambda,
    'counter',
    {
      'index.js': `${PROBE_CLIENT}
exports.handler = async (event, context) => { await probe({ requestId: context.awsRequestId, n: event.n }); return event.n; };`,
    },
    { Environment: { Variables: { PROBE_URL: probe.url } } },
  );
  lambda.destroy();

  // Phase 1: load until KILL_AFTER_ACKS events are acknowledged, then kill -9 with work in flight.
  const acked = new Map<number, string>();
  const all = Array.from({ length: EVENTS }, (_, i) => i);
  const first = server;
  let killedAt = -1;
  await sendAll(first.url, all, acked, () => {
    if (acked.size >= KILL_AFTER_ACKS && killedAt < 0) {
      killedAt = acked.size;
      first.child.kill('SIGKILL');
      return true;
    }
    return false;
  });
  expect(await first.exited).toBe('SIGKILL');
  const ranBeforeKill = new Set(probe.hits.map((h) => h.body.requestId)).size;

  // Phase 2: restart on the same data dir; the client sends what was not acknowledged.
  server = await spawnNimbus(args);
  await sendAll(
    server.url,
    all.filter((n) => !acked.has(n)),
    acked,
  );
  expect(acked.size).toBe(EVENTS);

  // Wait until the restarted server has nothing left waiting or in flight: every event it holds ran.
  const left = async () =>
    (
      (await (
        await fetch(`${server!.url}/nimbus/v1/functions/counter/events?state=queued,in-flight,retrying`)
      ).json()) as { events: unknown[] }
    ).events.length;
  await expect.poll(left, { timeout: 120_000, interval: 200 }).toBe(0);

  const ackedIds = new Set(acked.values());
  const runs = () => {
    const count = new Map<string, number>();
    for (const h of probe!.hits) {
      const id = h.body.requestId as string;
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    return count;
  };
  const count = runs();
  const lost = [...ackedIds].filter((id) => !count.has(id));
  const duplicates = [...count.entries()].filter(([, n]) => n > 1);
  const unacknowledgedButRun = [...count.keys()].filter((id) => !ackedIds.has(id));
  console.log(
    `crash test: killed after ${killedAt} acks with ${ranBeforeKill} run; ${EVENTS} acknowledged in all, ` +
      `${count.size} distinct executions, ${lost.length} lost, ${duplicates.length} run more than once ` +
      `(in flight at the kill), ${unacknowledgedButRun.length} committed but never acknowledged (run anyway)`,
  );
  expect(lost).toEqual([]);
  expect(ranBeforeKill).toBeLessThan(EVENTS);

  const failed = (await (
    await fetch(`${server.url}/nimbus/v1/functions/counter/events?state=failed`)
  ).json()) as { events: unknown[] };
  expect(failed.events).toEqual([]);
});
