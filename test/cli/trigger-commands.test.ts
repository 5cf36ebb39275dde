import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
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

describe('nimbus trigger', () => {
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
