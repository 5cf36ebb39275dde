import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../support/aws-cli.js';
import { createFunction } from '../support/functions.js';
import { s3Client } from '../support/s3.js';
import { fnArn, SCHEDULER_ROLE, scheduleRequest, schedulerClient } from '../support/scheduler.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let scheduler: SchedulerClient;
const HANDLER = { 'index.js': 'exports.handler = async () => "ok";' };
/** Never due while the tests run. */
const FAR = 'cron(0 0 1 1 ? 2150)';

beforeAll(async () => {
  s = await startTestServer();
  scheduler = schedulerClient(s.url);
  await createFunction(s.lambda, 'tick', HANDLER);
});
afterAll(async () => {
  scheduler?.destroy();
  await s?.close();
});

async function names(): Promise<string[]> {
  const out = await scheduler.send(new ListSchedulesCommand({}));
  return (out.Schedules ?? []).map((x) => x.Name!);
}

async function refused(
  input: Record<string, unknown>,
  name = 'bad',
): Promise<{ type: string; message: string }> {
  const before = await names();
  try {
    await scheduler.send(new CreateScheduleCommand({ Name: name, ...input } as never));
  } catch (e) {
    expect(await names()).toEqual(before);
    return { type: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('the request was accepted');
}

describe('Scheduler API through @aws-sdk/client-scheduler', () => {
  it('creates, gets, updates, lists and deletes a schedule with AWS shapes', async () => {
    const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const end = new Date(start.getTime() + 86_400_000);
    const created = await scheduler.send(
      new CreateScheduleCommand({
        Name: 'nightly.report-1',
        Description: 'every night',
        ...scheduleRequest('tick', 'cron(30 2 * * ? *)', {
          ScheduleExpressionTimezone: 'Europe/Paris',
          StartDate: start,
          EndDate: end,
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
          State: 'DISABLED',
        }),
        Target: {
          Arn: fnArn('tick'),
          RoleArn: SCHEDULER_ROLE,
          Input: '{"report":"nightly"}',
          RetryPolicy: { MaximumRetryAttempts: 3 },
        },
      }),
    );
    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/nightly.report-1',
    );

    const got = await scheduler.send(new GetScheduleCommand({ Name: 'nightly.report-1' }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'nightly.report-1',
      GroupName: 'default',
      Description: 'every night',
      ScheduleExpression: 'cron(30 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'DISABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: {
        Arn: fnArn('tick'),
        RoleArn: SCHEDULER_ROLE,
        Input: '{"report":"nightly"}',
        // The missing member takes AWS's default.
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86400 },
      },
    });
    // Epoch seconds on the wire: the SDK reads them as dates.
    expect(got.StartDate).toEqual(start);
    expect(got.EndDate).toEqual(end);
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);

    await new Promise((r) => setTimeout(r, 5));
    await scheduler.send(
      new UpdateScheduleCommand({ Name: 'nightly.report-1', ...scheduleRequest('tick', 'rate(2 hours)') }),
    );
    const updated = await scheduler.send(
      new GetScheduleCommand({ Name: 'nightly.report-1', GroupName: 'default' }),
    );
    // Update replaces: what the request leaves out is gone or back to its default.
    expect(updated.Description).toBeUndefined();
    expect(updated.StartDate).toBeUndefined();
    expect(updated.State).toBe('ENABLED');
    expect(updated.ScheduleExpressionTimezone).toBe('UTC');
    expect(updated.Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: 185,
      MaximumEventAgeInSeconds: 86400,
    });
    expect(updated.CreationDate).toEqual(got.CreationDate);
    expect(updated.LastModificationDate!.getTime()).toBeGreaterThan(got.LastModificationDate!.getTime());

    await scheduler.send(new DeleteScheduleCommand({ Name: 'nightly.report-1' }));
    const gone = await scheduler.send(new GetScheduleCommand({ Name: 'nightly.report-1' })).catch((e) => e);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe('Schedule nightly.report-1 does not exist.');
    const again = await scheduler
      .send(new DeleteScheduleCommand({ Name: 'nightly.report-1' }))
      .catch((e) => e);
    expect(again).toBeInstanceOf(ResourceNotFoundException);
    const missing = await scheduler
      .send(new UpdateScheduleCommand({ Name: 'nope', ...scheduleRequest('tick', FAR) }))
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a second schedule of the same name', async () => {
    await scheduler.send(new CreateScheduleCommand({ Name: 'twice', ...scheduleRequest('tick', FAR) }));
    const e = await scheduler
      .send(new CreateScheduleCommand({ Name: 'twice', ...scheduleRequest('tick', 'rate(5 minutes)') }))
      .catch((x) => x);
    expect(e).toBeInstanceOf(ConflictException);
    expect(e.message).toBe('Schedule twice already exists.');
    expect((await scheduler.send(new GetScheduleCommand({ Name: 'twice' }))).ScheduleExpression).toBe(FAR);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'twice' }));
  });

  it('lists by prefix and state, page by page', async () => {
    for (let i = 0; i < 5; i++) {
      await scheduler.send(
        new CreateScheduleCommand({
          Name: `page-${i}`,
          ...scheduleRequest('tick', FAR, i % 2 ? { State: 'DISABLED' } : {}),
        }),
      );
    }
    await scheduler.send(new CreateScheduleCommand({ Name: 'other', ...scheduleRequest('tick', FAR) }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await scheduler.send(
        new ListSchedulesCommand({ NamePrefix: 'page-', MaxResults: 2, NextToken: token }),
      );
      seen.push(...(page.Schedules ?? []).map((x) => x.Name!));
      for (const x of page.Schedules ?? []) {
        expect(x.Target).toEqual({ Arn: fnArn('tick') });
        expect(x.GroupName).toBe('default');
        expect(x.CreationDate).toBeInstanceOf(Date);
      }
      token = page.NextToken;
      pages++;
    } while (token);
    expect(seen).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(pages).toBe(3);
    const disabled = await scheduler.send(
      new ListSchedulesCommand({ NamePrefix: 'page-', State: 'DISABLED' }),
    );
    expect(disabled.Schedules?.map((x) => x.Name)).toEqual(['page-1', 'page-3']);
    for (const n of ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'other']) {
      await scheduler.send(new DeleteScheduleCommand({ Name: n }));
    }
  });

  it('answers bad input with ValidationException and changes nothing', async () => {
    expect(await refused(scheduleRequest('tick', 'cron(0 12 * * * *)'))).toEqual({
      type: 'ValidationException',
      message: 'Invalid Schedule Expression cron(0 12 * * * *).',
    });
    expect((await refused(scheduleRequest('tick', 'rate(1 minutes)'))).message).toBe(
      'Invalid Schedule Expression rate(1 minutes).',
    );
    expect((await refused(scheduleRequest('tick', 'every 5 minutes'))).type).toBe('ValidationException');
    expect(
      (
        await refused(
          scheduleRequest('tick', 'rate(5 minutes)', { ScheduleExpressionTimezone: 'Europe/Atlantis' }),
        )
      ).message,
    ).toMatch(/^Invalid ScheduleExpressionTimezone Europe\/Atlantis/);
    const queue = await refused({
      ...scheduleRequest('tick', 'rate(5 minutes)'),
      Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:jobs', RoleArn: SCHEDULER_ROLE },
    });
    expect(queue.type).toBe('ValidationException');
    expect(queue.message).toContain('is not a Lambda function ARN');
    const ecs = await refused({
      ...scheduleRequest('tick', 'rate(5 minutes)'),
      Target: { Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE, SqsParameters: { MessageGroupId: 'g' } },
    });
    expect(ecs.message).toContain('SqsParameters');
    expect((await refused(scheduleRequest('ghost', 'rate(5 minutes)'))).message).toBe(
      `The target function ${fnArn('ghost')} does not exist.`,
    );
    expect(
      (
        await refused({
          ...scheduleRequest('tick', 'rate(5 minutes)'),
          Target: { Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE, Input: 'not json' },
        })
      ).type,
    ).toBe('ValidationException');
    expect((await refused(scheduleRequest('tick', 'rate(5 minutes)'), 'x'.repeat(65))).message).toBe(
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    expect((await refused(scheduleRequest('tick', 'rate(5 minutes)'), 'has space')).message).toContain(
      "at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    expect(
      (
        await refused(
          scheduleRequest('tick', 'rate(5 minutes)', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }),
        )
      ).type,
    ).toBe('ValidationException');
    expect(
      (
        await refused(
          scheduleRequest('tick', 'rate(5 minutes)', {
            FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 },
          }),
        )
      ).message,
    ).toContain("at 'flexibleTimeWindow.maximumWindowInMinutes'");
    expect(
      (
        await refused(
          scheduleRequest('tick', 'rate(5 minutes)', { StartDate: new Date(Date.now() - 3_600_000) }),
        )
      ).message,
    ).toBe('The StartDate you specify cannot be earlier than 5 minutes ago.');
    expect(
      (
        await refused({
          ...scheduleRequest('tick', 'rate(5 minutes)'),
          Target: { Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } },
        })
      ).message,
    ).toContain("at 'target.retryPolicy.maximumRetryAttempts'");
    const group = await refused({ ...scheduleRequest('tick', 'rate(5 minutes)'), GroupName: 'team-a' });
    expect(group).toEqual({
      type: 'ResourceNotFoundException',
      message: 'Schedule group team-a does not exist.',
    });
    const e = await scheduler
      .send(new CreateScheduleCommand({ Name: 'v', ...scheduleRequest('tick', 'cron(1 2 3)') }))
      .catch((x) => x);
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.$metadata.httpStatusCode).toBe(400);
  });
});

describe('the Scheduler surface leaves other APIs their paths', () => {
  it('a bucket named "schedules" still serves S3 requests, signed or not', async () => {
    const s3 = s3Client(s.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'schedules' }));
    await s3.send(new PutObjectCommand({ Bucket: 'schedules', Key: 'daily', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'schedules', Key: 'daily' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    const unsigned = await fetch(`${s.url}/schedules/daily`);
    expect(unsigned.status).toBe(200);
    expect(await unsigned.text()).toBe('hello');
    // And the Scheduler API, signed for `scheduler`, does not see the bucket's key.
    const e = await scheduler.send(new GetScheduleCommand({ Name: 'daily' })).catch((x) => x);
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    s3.destroy();
  });
});

describe('Scheduler API through the AWS CLI', () => {
  it('create-schedule, get-schedule, list-schedules, update-schedule, delete-schedule', async () => {
    const aws = awsCli(s.url);
    if (!aws) return;
    const target = JSON.stringify({ Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE, Input: '{"via":"cli"}' });
    const created = await aws([
      'scheduler',
      'create-schedule',
      '--name',
      'cli-schedule',
      '--schedule-expression',
      'cron(0 9 ? * MON-FRI *)',
      '--schedule-expression-timezone',
      'America/New_York',
      '--flexible-time-window',
      '{"Mode":"OFF"}',
      '--target',
      target,
      '--start-date',
      '2150-01-01T00:00:00Z',
    ]);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout).ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/cli-schedule',
    );
    const got = JSON.parse((await aws(['scheduler', 'get-schedule', '--name', 'cli-schedule'])).stdout);
    expect(got).toMatchObject({
      Name: 'cli-schedule',
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'America/New_York',
      Target: { Arn: fnArn('tick'), Input: '{"via":"cli"}' },
    });
    expect(new Date(got.StartDate).toISOString()).toBe('2150-01-01T00:00:00.000Z');
    const listed = JSON.parse((await aws(['scheduler', 'list-schedules', '--name-prefix', 'cli-'])).stdout);
    expect(listed.Schedules.map((x: { Name: string }) => x.Name)).toEqual(['cli-schedule']);
    const updated = await aws([
      'scheduler',
      'update-schedule',
      '--name',
      'cli-schedule',
      '--schedule-expression',
      'rate(1 day)',
      '--flexible-time-window',
      '{"Mode":"OFF"}',
      '--target',
      target,
      '--state',
      'DISABLED',
    ]);
    expect(updated.code).toBe(0);
    const bad = await aws([
      'scheduler',
      'create-schedule',
      '--name',
      'cli-bad',
      '--schedule-expression',
      'cron(0 9 * * MON *)',
      '--flexible-time-window',
      '{"Mode":"OFF"}',
      '--target',
      target,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      '(ValidationException) when calling the CreateSchedule operation: Invalid Schedule Expression cron(0 9 * * MON *).',
    );
    expect((await aws(['scheduler', 'delete-schedule', '--name', 'cli-schedule'])).code).toBe(0);
    const gone = await aws(['scheduler', 'get-schedule', '--name', 'cli-schedule']);
    expect(gone.stderr).toContain('(ResourceNotFoundException)');
  });
});

describe('Scheduler API with authentication enforced', () => {
  it('takes requests signed with the configured key and refuses others', async () => {
    const keys = { accessKeyId: 'AKIDSCHEDULERTEST01', secretAccessKey: 'scheduler-secret-key-for-tests' };
    const secured = await startTestServer(keys);
    const good = new SchedulerClient({
      endpoint: secured.url,
      region: 'us-east-1',
      credentials: keys,
      maxAttempts: 1,
    });
    const bad = new SchedulerClient({
      endpoint: secured.url,
      region: 'us-east-1',
      credentials: { ...keys, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    try {
      const listed = await good.send(new ListSchedulesCommand({}));
      expect(listed.Schedules).toEqual([]);
      const refusedCall = await bad.send(new ListSchedulesCommand({})).catch((e) => e);
      expect(refusedCall.name).toBe('InvalidSignatureException');
      expect(refusedCall.$metadata.httpStatusCode).toBe(403);
    } finally {
      good.destroy();
      bad.destroy();
      await secured.close();
    }
  });
});
