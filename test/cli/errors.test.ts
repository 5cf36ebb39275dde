import { beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, closedPort, runCli } from './harness.js';

beforeAll(assertCliBuilt);

describe('errors are one line on stderr with exit code 2', () => {
  let endpoint: string;
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it('says the server is not running and how to start it', async () => {
    for (const args of [
      ['status'],
      ['fn', 'ls'],
      ['invoke', 'x', '--payload', '{}'],
      ['logs', 'x', '--follow'],
    ]) {
      const r = await runCli([...args, '--endpoint', endpoint]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `nimbus: the Nimbus server is not running at ${endpoint} (connection refused). ` +
          'Start it with `nimbus serve`, or point the CLI at a running server with --endpoint or NIMBUS_ENDPOINT.\n',
      );
    }
  });

  it('reads the endpoint from NIMBUS_ENDPOINT, and names it when it is invalid', async () => {
    let r = await runCli(['status'], { env: { NIMBUS_ENDPOINT: endpoint } });
    expect(r.stderr).toContain(`not running at ${endpoint}`);
    r = await runCli(['status'], { env: { NIMBUS_ENDPOINT: 'localhost:9000' } });
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toBe(
      'nimbus: invalid NIMBUS_ENDPOINT "localhost:9000": expected an http:// or https:// URL such as http://127.0.0.1:9000.\n',
    );
    r = await runCli(['status', '--endpoint', 'ftp://x']);
    expect(r.stderr).toMatch(/^nimbus: invalid --endpoint "ftp:\/\/x"/);
  });

  it('documents the default endpoint and the variable in every client command', async () => {
    for (const command of [
      ['fn', 'deploy'],
      ['fn', 'ls'],
      ['fn', 'get'],
      ['fn', 'rm'],
      ['invoke'],
      ['logs'],
      ['usage'],
      ['status'],
    ]) {
      const r = await runCli([...command, '--help']);
      expect(r.code).toBe(0);
      // Help wraps at the terminal width.
      expect(r.stdout.replace(/\s+/g, ' ')).toContain(
        '(default: "http://127.0.0.1:9000", env: NIMBUS_ENDPOINT)',
      );
    }
  });

  it('shows the stack trace only with NIMBUS_DEBUG=1', async () => {
    const plain = await runCli(['status', '--endpoint', endpoint]);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(['status', '--endpoint', endpoint], { env: { NIMBUS_DEBUG: '1' } });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^nimbus: the Nimbus server is not running/);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect(debug.stderr).toContain('ECONNREFUSED');
  });

  it('turns usage errors into exit code 2, and help into 0', async () => {
    let r = await runCli(['fn', 'deploy', '--name', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: missing required argument 'path'");
    r = await runCli(['usage', '--by', 'week']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are all, day, hour');
    r = await runCli(['fn', 'deploy', '.', '--name', 'x', '--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected a positive whole number');
    r = await runCli(['fn', 'deploy', '.', '--name', 'x', '--env', 'NOEQUALS']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected KEY=VALUE');
    r = await runCli(['nonsense']);
    expect(r.code).toBe(2);
    r = await runCli(['fn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: nimbus function|fn');

    r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'function|fn', 'invoke', 'logs', 'usage', 'status']) {
      expect(r.stdout).toContain(command);
    }
    r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });
});
