import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionEvents } from '../support/function-events.js';
import { createFunction } from '../support/functions.js';
import { startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { eventually, sqsClient } from '../support/sqs.js';
import { assertCliBuilt, cliFor } from './harness.js';

let server: TestServer;
let sqs: SQSClient;
let nimbus: ReturnType<typeof cliFor>;

beforeAll(async () => {
  assertCliBuilt();
  server = await startTestServer();
  sqs = sqsClient(server.url);
  nimbus = cliFor(server.url);
});

afterAll(async () => {
  sqs.destroy();
  await server?.close();
});

describe('nimbus trigger', { timeout: 90_000 }, () => {
  it('add --queue, list with state, lag and last error, delete', async () => {
    await createFunction(server.lambda, 'worker', {
      'index.js':
        "exports.handler = async (e) => { if (e.Records[0].body === 'bad') throw new Error('no thanks'); };",
    });
    const url = (
      await sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '60' } }))
    ).QueueUrl!;
    const added = await nimbus(
      'trigger',
      'add',
      'worker',
      '--queue',
      'work',
      '--batch-size',
      '5',
      '--report-failures',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /Added trigger ([0-9a-f-]{36}): queue work → worker \(batch size 5, Creating\)/.exec(
      added.stdout,
    )?.[1];
    expect(id).toBeDefined();

    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad' }));
    const listed = await eventually(async () => {
      const r = await nimbus('trigger', 'list', 'worker');
      return r.stdout.includes('no thanks') ? r : undefined;
    });
    const [header, row] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+TYPE\s+SOURCE\s+STATE\s+BATCH\s+LAG\s+LAST RESULT$/);
    expect(row).toContain(id!);
    expect(row).toMatch(/queue\s+work\s+Enabled\s+5\s+0 waiting, 1 in flight/);
    expect(row).toContain('PROBLEM: Function call failed: Error: no thanks');

    const json = await nimbus('trigger', 'list', 'worker', '--json');
    const parsed = JSON.parse(json.stdout) as {
      EventSourceMappings: { UUID: string; Status: { LagCount: number } }[];
    };
    expect(parsed.EventSourceMappings[0]).toMatchObject({ UUID: id, Status: { LagCount: 1 } });

    const deleted = await nimbus('trigger', 'delete', id!);
    expect(deleted.stdout).toBe(`Deleting trigger ${id} (Deleting)\n`);
    const empty = await eventually(async () => {
      const r = await nimbus('trigger', 'list', 'worker');
      return r.stderr.includes('No triggers') ? r : undefined;
    });
    expect(empty.stdout).toBe('');
  });

  it('explains what is wrong', async () => {
    await createFunction(server.lambda, 'idle', { 'index.js': 'exports.handler = async () => {};' });
    const none = await nimbus('trigger', 'add', 'idle');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('say what triggers idle: exactly one of --queue');
    const missing = await nimbus('trigger', 'add', 'idle', '--queue', 'no-such-queue');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('InvalidParameterValueException');
    expect(missing.stderr).toContain('does not exist');
    const noFn = await nimbus('trigger', 'list', 'ghost');
    expect(noFn.stderr).toContain('ResourceNotFoundException');
  });
});

describe('nimbus trigger add --postgres', () => {
  it('follows tables, with operations as a filter; list shows it; errors are clear', async () => {
    const pgServer = await startPostgres();
    if (!pgServer) return;
    try {
      await pgServer.query('CREATE TABLE accounts (id int PRIMARY KEY, name text)');
      await createFunction(server.lambda, 'pg-cli', {
        'index.js': "exports.handler = async (e) => { console.log('EVENT ' + JSON.stringify(e)); };",
      });
      const added = await nimbus(
        'trigger',
        'add',
        'pg-cli',
        '--postgres',
        pgServer.url,
        '--table',
        'accounts',
        '--operations',
        'insert,delete',
        '--batch-size',
        '10',
      );
      expect(added.stderr).toBe('');
      expect(added.stdout).toMatch(
        /^Added trigger [0-9a-f-]{36}: postgres postgres public\.accounts → pg-cli \(batch size 10, Creating\)\n$/,
      );
      await eventually(async () =>
        (await nimbus('trigger', 'list', 'pg-cli')).stdout.includes('Enabled') ? true : undefined,
      );
      await pgServer.query(
        "INSERT INTO accounts VALUES (1, 'a'); UPDATE accounts SET name = 'b' WHERE id = 1; DELETE FROM accounts WHERE id = 1",
      );
      const events = await eventually(async () => {
        const e = await functionEvents(server.url, 'pg-cli');
        const names = e.flatMap((x) => x.Records.map((r) => r.eventName));
        return names.length >= 2 ? names : undefined;
      });
      expect(events).toEqual(['INSERT', 'REMOVE']);
      const list = await nimbus('trigger', 'list', 'pg-cli');
      expect(list.stdout).toMatch(
        /postgres\s+db\/postgres\/table\/public\.accounts\s+Enabled\s+10\s+0 changes waiting\s+OK/,
      );
      const missing = await nimbus(
        'trigger',
        'add',
        'pg-cli',
        '--postgres',
        pgServer.url,
        '--table',
        'public.ghosts',
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('Table public.ghosts does not exist in database postgres.');
      const noTable = await nimbus('trigger', 'add', 'pg-cli', '--postgres', pgServer.url);
      expect(noTable.stderr).toContain('--table');
    } finally {
      await pgServer.close();
    }
  }, 60_000);
});
