import { DeleteScheduleCommand, GetScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { schedulerClient } from '../support/scheduler.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertCliBuilt, cliFor } from './harness.js';

let server: TestServer;
let scheduler: SchedulerClient;
let nimbus: ReturnType<typeof cliFor>;

beforeAll(async () => {
  assertCliBuilt();
  server = await startTestServer();
  scheduler = schedulerClient(server.url);
  nimbus = cliFor(server.url);
  await createFunction(server.lambda, 'report', { 'index.js': 'exports.handler = async () => "ok";' });
  await createFunction(server.lambda, 'other', { 'index.js': 'exports.handler = async () => "ok";' });
});
afterAll(async () => {
  scheduler?.destroy();
  await server?.close();
});

describe('nimbus schedule', { timeout: 60_000 }, () => {
  it('names schedules of a 64-character function by shortening the name, not the count', async () => {
    const long = 'f'.repeat(64);
    await createFunction(server.lambda, long, { 'index.js': 'exports.handler = async () => "ok";' });
    for (const n of [1, 2]) {
      const added = await nimbus('schedule', 'add', long, '--expression', 'rate(1 hour)', '--disabled');
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain(`Created schedule ${'f'.repeat(62)}-${n} `);
    }
    for (const n of [1, 2])
      await scheduler.send(new DeleteScheduleCommand({ Name: `${'f'.repeat(62)}-${n}` }));
  });

  it('add, list, delete', async () => {
    const added = await nimbus(
      'schedule',
      'add',
      'report',
      '--expression',
      'cron(0 9 ? * MON-FRI *)',
      '--name',
      'weekday-report',
      '--timezone',
      'Europe/Paris',
      '--input',
      '{"kind":"weekly"}',
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe(
      'Created schedule weekday-report (arn:aws:scheduler:us-east-1:000000000000:schedule/default/weekday-report): report runs on cron(0 9 ? * MON-FRI *)\n',
    );
    // What the AWS SDK sees.
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'weekday-report' }));
    expect(got).toMatchObject({
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:report', Input: '{"kind":"weekly"}' },
    });
    const auto = await nimbus('schedule', 'add', 'other', '--expression', 'rate(5 minutes)', '--disabled');
    expect(auto.code).toBe(0);
    expect(auto.stdout).toContain('Created schedule other-1');

    const all = await nimbus('schedule', 'list');
    expect(all.stdout.split('\n')[0]).toMatch(/^NAME\s+FUNCTION\s+EXPRESSION\s+STATE\s+NEXT\s+LAST ERROR$/);
    expect(all.stdout).toMatch(
      /weekday-report\s+report\s+cron\(0 9 \? \* MON-FRI \*\) Europe\/Paris\s+ENABLED\s+20\d\d-/,
    );
    expect(all.stdout).toMatch(/other-1\s+other\s+rate\(5 minutes\)\s+DISABLED\s+-/);
    const mine = await nimbus('schedule', 'list', 'report', '--json');
    expect(JSON.parse(mine.stdout).Schedules.map((s: { Name: string }) => s.Name)).toEqual([
      'weekday-report',
    ]);

    // `nimbus trigger list` shows a function's schedules beside its other triggers.
    const triggers = await nimbus('trigger', 'list', 'report');
    expect(triggers.stdout).toMatch(
      /schedule\/weekday-report\s+schedule\s+cron\(0 9 \? \* MON-FRI \*\) Europe\/Paris\s+Enabled\s+-\s+next 20/,
    );

    expect((await nimbus('schedule', 'delete', 'weekday-report')).stdout).toBe(
      'Deleted schedule weekday-report\n',
    );
    expect((await nimbus('trigger', 'delete', 'schedule/other-1')).stdout).toBe('Deleted schedule other-1\n');
    const none = await nimbus('schedule', 'list');
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No schedules');
  });

  it('trigger add --schedule creates a schedule', async () => {
    const added = await nimbus('trigger', 'add', 'report', '--schedule', 'rate(1 hour)');
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('report now runs on rate(1 hour) (schedule report)\n');
    expect((await scheduler.send(new GetScheduleCommand({ Name: 'report' }))).ScheduleExpression).toBe(
      'rate(1 hour)',
    );
    await nimbus('schedule', 'delete', 'report');
  });

  it('says what is wrong with bad input', async () => {
    const bad = await nimbus('schedule', 'add', 'report', '--expression', 'cron(0 9 * * MON *)');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'nimbus: ValidationException: Invalid Schedule Expression cron(0 9 * * MON *).\n',
    );
    const zone = await nimbus(
      'schedule',
      'add',
      'report',
      '--expression',
      'rate(1 day)',
      '--timezone',
      'Moon/Base',
    );
    expect(zone.stderr).toMatch(
      /^nimbus: ValidationException: Invalid ScheduleExpressionTimezone Moon\/Base/,
    );
    const input = await nimbus(
      'schedule',
      'add',
      'report',
      '--expression',
      'rate(1 day)',
      '--input',
      '{oops',
    );
    expect(input.stderr).toBe('nimbus: --input must be JSON (the event the function receives), got: {oops\n');
    const missing = await nimbus('schedule', 'add', 'ghost', '--expression', 'rate(1 day)');
    expect(missing.stderr).toContain('ResourceNotFoundException: Function not found');
    const gone = await nimbus('schedule', 'delete', 'never-was');
    expect(gone.stderr).toBe('nimbus: ResourceNotFoundException: Schedule never-was does not exist.\n');
    expect((await nimbus('schedule', 'list')).stdout).toBe('');
  });
});
