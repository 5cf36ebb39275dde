import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ concurrency: 1 });
  await createFunction(s.lambda, 'counted', {
    'index.js':
      'exports.handler = async (e) => { if (e.fail) throw new Error("no"); if (e.wait) await new Promise(r => setTimeout(r, e.wait)); return 1; };',
  });
});
afterAll(() => s.close());

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format strictly enough to catch malformed output. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    expect(m, `malformed sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of (m![3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    samples.push({ name: m![1]!, labels, value: Number(m![4]) });
  }
  return samples;
}

const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
    ?.value ?? 0;

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

describe('/metrics', () => {
  it('parses as Prometheus text and its counters move with invocations', async () => {
    const before = await scrape();
    for (const Payload of ['{}', '{}', '{"fail":true}']) {
      await s.lambda.send(new InvokeCommand({ FunctionName: 'counted', Payload: Buffer.from(Payload) }));
    }
    await s.nimbus.recorder.flush();
    const after = await scrape();
    const ok = { function: 'counted', outcome: 'success', invocation_type: 'RequestResponse' };
    const err = { function: 'counted', outcome: 'error', invocation_type: 'RequestResponse' };
    expect(value(after, 'nimbus_invocations_total', ok) - value(before, 'nimbus_invocations_total', ok)).toBe(
      2,
    );
    expect(
      value(after, 'nimbus_invocations_total', err) - value(before, 'nimbus_invocations_total', err),
    ).toBe(1);
    expect(value(after, 'nimbus_cold_starts_total', { function: 'counted' })).toBe(1);
    expect(value(after, 'nimbus_invocation_duration_seconds_count', { function: 'counted' })).toBe(3);
    expect(value(after, 'nimbus_sandboxes', { function: 'counted', state: 'idle' })).toBe(1);
    expect(value(after, 'nimbus_billed_gb_seconds_total', { function: 'counted' })).toBeGreaterThan(0);
    expect(after.some((x) => x.name === 'nimbus_process_resident_memory_bytes')).toBe(true);
  });

  it('counts throttles', async () => {
    const slow = s.lambda.send(
      new InvokeCommand({ FunctionName: 'counted', Payload: Buffer.from('{"wait":300}') }),
    );
    await expect(
      (async () => {
        // Concurrency is 1: while the slow one runs, the next is throttled.
        for (let i = 0; i < 50; i++) {
          await s.lambda.send(new InvokeCommand({ FunctionName: 'counted', Payload: Buffer.from('{}') }));
        }
      })(),
    ).rejects.toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    await slow;
    const after = await scrape();
    expect(
      value(after, 'nimbus_throttles_total', {
        function: 'counted',
        reason: 'ConcurrentInvocationLimitExceeded',
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});
