import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_CLIENT, type Probe, startProbe } from '../support/probe-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertCliBuilt, cliFor, makeFolder, waitFor } from './harness.js';

const HANDLER = `${PROBE_CLIENT}
exports.handler = async (event, context) => {
  const answer = await probe({ requestId: context.awsRequestId, event });
  if (answer && answer.fail) throw new TypeError('broken: ' + event.n);
  return { ok: event.n };
};`;

let server: TestServer;
let nimbus: ReturnType<typeof cliFor>;
let probe: Probe;
const folder = makeFolder({ 'index.js': HANDLER });

beforeAll(async () => {
  assertCliBuilt();
  probe = await startProbe();
  server = await startTestServer({ asyncDelayScale: 0.001 });
  nimbus = cliFor(server.url);
  const r = await nimbus(
    'fn',
    'deploy',
    folder.dir,
    '--name',
    'queued-fn',
    '--env',
    `PROBE_URL=${probe.url}`,
  );
  expect(r.code, r.stderr).toBe(0);
  const config = await fetch(`${server.url}/2019-09-25/functions/queued-fn/event-invoke-config`, {
    method: 'PUT',
    body: JSON.stringify({ MaximumRetryAttempts: 0 }),
  });
  expect(config.status).toBe(200);
});

afterAll(async () => {
  await server?.close();
  await probe?.close();
  folder.cleanup();
});

const ran = (id: string) => probe.hits.filter((h) => h.body.requestId === id).length;

describe('nimbus invoke --async', () => {
  it('prints only the request id once queued; the function then runs with it', async () => {
    const r = await nimbus('invoke', 'queued-fn', '--async', '--payload', '{"n":1}');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const id = r.stdout.trim();
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    await waitFor(() => ran(id) === 1, 'the queued event to run');
  });

  it('refuses --log with --async, and a payload that is not JSON, before sending anything', async () => {
    const both = await nimbus('invoke', 'queued-fn', '--async', '--log');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--log shows the log of a synchronous invocation');
    const bad = await nimbus('invoke', 'queued-fn', '--async', '--payload', '{nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not valid JSON');
    const missing = await nimbus('invoke', 'missing-fn', '--async');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ResourceNotFoundException: Function not found');
  });
});

describe('nimbus events', () => {
  it('lists failed events with attempts and last error, and replays them', async () => {
    probe.respond = () => ({ fail: true });
    const a = (await nimbus('invoke', 'queued-fn', '--async', '--payload', '{"n":"a"}')).stdout.trim();
    const b = (await nimbus('invoke', 'queued-fn', '--async', '--payload', '{"n":"b"}')).stdout.trim();
    let listed = await nimbus('events', 'queued-fn');
    await waitFor(async () => {
      listed = await nimbus('events', 'queued-fn');
      return listed.stderr.includes('queued-fn: 2 failed.');
    }, 'both events to fail');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REQUEST ID\s+STATE\s+ATTEMPTS\s+ENQUEUED\s+NEXT \/ ENDED\s+LAST ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      [a, 'failed', '1'],
      [b, 'failed', '1'],
    ]);
    expect(lines[1]).toContain('Unhandled: TypeError: broken: a');
    expect(listed.stderr).toMatch(/Not listed: \d+ succeeded \(--state all lists them\)\./);

    const json = await nimbus('events', 'queued-fn', '--state', 'failed', '--json');
    const parsed = JSON.parse(json.stdout) as { events: { requestId: string; condition: string }[] };
    expect(parsed.events.map((e) => [e.requestId, e.condition])).toEqual([
      [a, 'RetriesExhausted'],
      [b, 'RetriesExhausted'],
    ]);

    probe.respond = () => null;
    const one = await nimbus('events', 'replay', 'queued-fn', '--id', a);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`${a}\n`);
    await waitFor(() => ran(a) === 2, 'the replayed event to run');
    const rest = await nimbus('events', 'replay', 'queued-fn', '--all-failed');
    expect(rest.stdout).toBe(`${b}\n`);
    await waitFor(() => ran(b) === 2, 'the other replayed event to run');
    await waitFor(
      async () =>
        (await nimbus('events', 'queued-fn')).stderr.includes(
          'No queued, in-flight, retrying, failed events',
        ),
      'nothing left to attend to',
    );
  });

  it('says what is wrong with bad options and unknown events', async () => {
    const noWhich = await nimbus('events', 'replay', 'queued-fn');
    expect(noWhich.code).toBe(2);
    expect(noWhich.stderr).toContain('say which events to replay');
    const unknownId = await nimbus('events', 'replay', 'queued-fn', '--id', 'no-such-id');
    expect(unknownId.code).toBe(2);
    expect(unknownId.stderr).toContain('not replayed (no such event, or it has not failed): no-such-id');
    const badState = await nimbus('events', 'queued-fn', '--state', 'done');
    expect(badState.code).toBe(2);
    expect(badState.stderr).toContain('unknown state done in --state');
    const noFn = await nimbus('events', 'nope');
    expect(noFn.code).toBe(2);
    expect(noFn.stderr).toContain('ResourceNotFoundException');
  });
});
