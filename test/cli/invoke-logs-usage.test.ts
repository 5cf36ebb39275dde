import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertCliBuilt, cliFor, makeFolder, runCli, startCli, waitFor } from './harness.js';

const HANDLER = `
exports.handler = async (event, context) => {
  console.log('event is', JSON.stringify(event));
  if (event.multiline) console.log('first line\\nsecond line');
  if (event.fail) throw new TypeError('bad input: ' + event.fail);
  return { ok: true, event, requestId: context.awsRequestId };
};`;

let server: TestServer;
let nimbus: ReturnType<typeof cliFor>;
const folder = makeFolder({ 'index.js': HANDLER });

beforeAll(async () => {
  assertCliBuilt();
  server = await startTestServer();
  nimbus = cliFor(server.url);
  const r = await nimbus('fn', 'deploy', folder.dir, '--name', 'echo');
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await server?.close();
  folder.cleanup();
});

/** The request id the START line of a `--log` tail names. */
function requestIdOf(logTail: string): string {
  const id = /START RequestId: ([0-9a-f-]{36})/.exec(logTail)?.[1];
  if (!id) throw new Error(`no START line in ${logTail}`);
  return id;
}

describe('nimbus invoke', () => {
  it('sends a JSON payload and prints the raw result on a pipe', async () => {
    const r = await nimbus('invoke', 'echo', '--payload', '{"a":[1,2]}');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ ok: true, event: { a: [1, 2] } });
    expect(r.stdout).toBe(JSON.stringify(result)); // exactly the function's bytes, not re-indented
  });

  it('reads the payload from @file and from @- (stdin); no payload is {}', async () => {
    const file = join(folder.dir, 'event.json');
    writeFileSync(file, '{ "from": "file" }\n');
    let r = await nimbus('invoke', 'echo', '--payload', `@${file}`);
    expect(JSON.parse(r.stdout).event).toEqual({ from: 'file' });

    r = await runCli(['invoke', 'echo', '--payload', '@-', '--endpoint', server.url], {
      input: '{"from":"stdin"}',
    });
    expect(JSON.parse(r.stdout).event).toEqual({ from: 'stdin' });

    r = await nimbus('fn', 'invoke', 'echo');
    expect(JSON.parse(r.stdout).event).toEqual({});
  });

  it('prints the decoded log tail on stderr with --log', async () => {
    const r = await nimbus('invoke', 'echo', '--payload', '{"multiline":true}', '--log');
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).requestId;
    expect(r.stderr).toContain(`START RequestId: ${id}`);
    expect(r.stderr).toContain('event is {"multiline":true}');
    expect(r.stderr).toContain('first line\nsecond line'); // `\r` from the runtime shown as a line break
    expect(r.stderr).toContain(`END RequestId: ${id}`);
    expect(r.stderr).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms`));
  });

  it('exits 1 on a function error, with the error on stderr and the payload on stdout', async () => {
    const r = await nimbus('invoke', 'echo', '--payload', '{"fail":"nope"}');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input: nope' });
    expect(r.stderr).toBe('nimbus: echo failed (Unhandled): TypeError: bad input: nope\n');
  });

  it('refuses invalid JSON before sending anything', async () => {
    // The endpoint is never contacted: the error is about the payload, not the connection.
    const r = await runCli(['invoke', 'echo', '--payload', '{"a":', '--endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nimbus: --payload is not valid JSON \(.+\)\. Pass a JSON document, e\.g\./);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);

    const bad = join(folder.dir, 'bad.json');
    writeFileSync(bad, 'not json');
    const fromFile = await nimbus('invoke', 'echo', '--payload', `@${bad}`);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`nimbus: the payload file ${bad} is not valid JSON`);

    const missing = await nimbus('invoke', 'echo', '--payload', '@/nonexistent/event.json');
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'nimbus: cannot read the payload file /nonexistent/event.json: no such file.\n',
    });
  });

  it('reports an unknown function as the API error, exit 2', async () => {
    const r = await nimbus('invoke', 'ghost');
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'nimbus: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost\n',
    });
  });
});

describe('nimbus logs', () => {
  it('prints events with local ISO times, and filters by request id and text', async () => {
    const first = await nimbus('invoke', 'echo', '--payload', '{"marker":"first-call"}', '--log');
    const second = await nimbus(
      'invoke',
      'echo',
      '--payload',
      '{"marker":"second-call","multiline":1}',
      '--log',
    );
    const firstId = requestIdOf(first.stderr);
    const secondId = requestIdOf(second.stderr);

    const all = await nimbus('logs', 'echo');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d .*INFO\tevent is \{"marker":"first-call"\}$/m,
    );
    expect(all.stdout).toContain('first line\nsecond line\n');

    const one = await nimbus('logs', 'echo', '--request-id', secondId);
    expect(one.stdout).toContain(`START RequestId: ${secondId}`);
    expect(one.stdout).toContain('second-call');
    expect(one.stdout).not.toContain(firstId);
    expect(one.stdout).not.toContain('first-call');

    const filtered = await nimbus('fn', 'logs', 'echo', '--filter', 'first-call', '--json');
    const events = filtered.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e).toMatchObject({ requestId: firstId, logStream: expect.any(String), id: expect.any(Number) });
      expect(e.message).toContain('first-call');
    }

    const none = await nimbus('logs', 'echo', '--request-id', 'no-such-request');
    expect(none).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No log events found for echo for request no-such-request.\n',
    });
    const future = await nimbus('logs', 'echo', '--since', '2999-01-01');
    expect(future.stdout).toBe('');

    const badSince = await nimbus('logs', 'echo', '--since', 'yesterday');
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/^nimbus: invalid --since value "yesterday": use a duration/);
  });

  it('follows new events until SIGINT', async () => {
    const follower = startCli(['logs', 'echo', '--follow', '--since', '1s', '--endpoint', server.url]);
    try {
      await nimbus('invoke', 'echo', '--payload', '{"marker":"followed"}');
      await waitFor(() => follower.stdout().includes('REPORT RequestId'), 'the followed REPORT line');
      expect(follower.stdout()).toContain('event is {"marker":"followed"}');
      await nimbus('invoke', 'echo', '--payload', '{"marker":"followed-again"}');
      await waitFor(() => follower.stdout().includes('followed-again'), 'the second invocation');
    } finally {
      follower.child.kill('SIGINT');
    }
    expect(await follower.exited).toBe(0);
    expect(follower.stderr()).toBe('');
  });

  it('reports an unknown function', async () => {
    const r = await nimbus('logs', 'ghost');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nimbus: ResourceNotFoundException: Function not found: /);
  });
});

describe('nimbus usage and status', () => {
  it('shows the invocations just made, with the estimate footer', async () => {
    await nimbus('fn', 'deploy', folder.dir, '--name', 'metered');
    for (let i = 0; i < 3; i++) await nimbus('invoke', 'metered', '--payload', `{"i":${i}}`);
    await nimbus('invoke', 'metered', '--payload', '{"fail":"x"}');

    const json = JSON.parse((await nimbus('usage', '--function', 'metered', '--json')).stdout);
    expect(json.rows).toHaveLength(1);
    expect(json.rows[0]).toMatchObject({ functionName: 'metered', requests: 4, errors: 1, coldStarts: 1 });
    expect(json.total.requests).toBe(4);

    const table = await nimbus('usage', '--since', '1h');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^FUNCTION\s+REQUESTS\s+ERRORS\s+COLD STARTS\s+GB-SECONDS\s+EST\. COST$/);
    expect(lines.find((l) => l.startsWith('metered '))).toMatch(/^metered\s+4\s+1\s+1\s+[\d.]+\s+\$[\d.]+$/);
    expect(lines.find((l) => l.startsWith('TOTAL '))).toBeDefined();
    expect(table.stdout).toContain('The free tier is not applied.');
    expect(table.stdout).toContain('AWS Lambda list prices for x86_64');

    const byDay = await nimbus('usage', '--by', 'day', '--function', 'metered');
    const today = new Date().toISOString().slice(0, 10);
    expect(byDay.stdout).toMatch(new RegExp(`^metered\\s+${today}\\s+4\\s+1\\s`, 'm'));

    const nothing = await nimbus('usage', '--function', 'never-invoked');
    expect(nothing).toMatchObject({ code: 0, stdout: '' });
    expect(nothing.stderr).toMatch(/^No invocations recorded for never-invoked/);
  });

  it('shows the server status', async () => {
    const json = JSON.parse((await nimbus('status', '--json')).stdout);
    expect(json).toMatchObject({
      version: expect.any(String),
      isolation: expect.any(String),
      functions: expect.any(Number),
      concurrency: { limit: expect.any(Number), inFlight: 0 },
      sandboxes: { sandboxes: expect.any(Number) },
    });
    const r = await nimbus('status');
    expect(r.stdout).toMatch(new RegExp(`^Endpoint\\s+${server.url.replace(/\/$/, '')}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^Version\\s+${json.version}$`, 'm'));
    expect(r.stdout).toMatch(
      /^Isolation\s+(bwrap|process), limits (cgroup-v1|cgroup-v2|none), keep-alive adaptive$/m,
    );
    expect(r.stdout).toMatch(/^Functions\s+\d+$/m);
    expect(r.stdout).toMatch(/^Concurrency\s+0 in flight, limit \d+ \(\d+ unreserved\), 0 throttled$/m);
    expect(r.stdout).toMatch(/^Sandboxes\s+\d+ \(\d+ idle, 0 busy, 0 starting\)$/m);
    expect(r.stdout).toMatch(/^Starts\s+\d+ warm, \d+ cold/m);
    expect(r.stdout).toMatch(/^Pre-started\s+\d+ of \d+ ready, \d+ cold starts? served by one$/m);
  });
});
