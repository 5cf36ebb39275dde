import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LambdaError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/observability/logger.js';
import { type ScheduleInput, ScheduleService } from '../../src/schedules/schedule-service.js';
import type { ScheduledEvent } from '../../src/schedules/scheduled-event.js';
import { Scheduler } from '../../src/schedules/scheduler.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.js';
import { SqliteScheduleStore } from '../../src/store/sqlite/schedule-store.js';
import { FakeClock, settleIo } from '../support/fake-clock.js';
import { fnArn, SCHEDULER_ROLE } from '../support/scheduler.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const scope = { region: 'us-east-1', accountId: '000000000000' };

interface Delivered {
  at: number;
  requestId: string;
  targetArn: string;
  payload: unknown;
}

/** A scheduler over a real SQLite file, a fake clock and a recording async path. */
class Harness {
  readonly delivered: Delivered[] = [];
  readonly deadLettered: { arn: string; body: string; attributes: Record<string, string> }[] = [];
  /** Errors the next hand-overs throw, in order. */
  failures: Error[] = [];
  /** When set, hand-overs never finish (a server that dies mid-way). */
  hang = false;
  db: SqliteDatabase;
  store: SqliteScheduleStore;
  scheduler!: Scheduler;
  service!: ScheduleService;

  constructor(
    readonly dir: string,
    public clock: FakeClock,
  ) {
    this.db = openDatabase(join(dir, 'nimbus.db'));
    this.store = new SqliteScheduleStore(this.db);
    this.#build();
  }

  #build(): void {
    this.scheduler = new Scheduler({
      store: this.store,
      clock: this.clock,
      scope,
      log: silentLogger,
      deliver: async (d) => {
        if (this.hang) return new Promise<void>(() => undefined);
        const failure = this.failures.shift();
        if (failure) throw failure;
        this.delivered.push({
          at: this.clock.now(),
          requestId: d.requestId,
          targetArn: d.targetArn,
          payload: JSON.parse(d.payload.toString()),
        });
      },
      deadLetter: async (arn, body, attributes) => {
        this.deadLettered.push({ arn, body, attributes });
      },
    });
    this.service = new ScheduleService({
      store: this.store,
      scheduler: this.scheduler,
      clock: this.clock,
      scope,
      functionExists: async () => true,
    });
  }

  /** A new process on the same database (the old one is simply abandoned, as by kill -9). */
  async restart(): Promise<void> {
    // The dead process's timers die with it: a fresh clock at the same time.
    this.clock = new FakeClock(this.clock.now());
    this.db.close();
    this.db = openDatabase(join(this.dir, 'nimbus.db'));
    this.store = new SqliteScheduleStore(this.db);
    this.hang = false;
    this.#build();
    await this.scheduler.start();
    await settleIo();
  }

  create(name: string, expression: string, extra: Partial<ScheduleInput> = {}) {
    return this.service.create(name, undefined, {
      ScheduleExpression: expression,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE },
      ...extra,
    });
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms, () => settleIo());
  }

  times(): string[] {
    return this.delivered.map((d) => new Date(d.at).toISOString());
  }

  slots(): string[] {
    return this.delivered.map((d) => (d.payload as ScheduledEvent).time);
  }
}

let dir: string;
let clock: FakeClock;
let h: Harness;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nimbus-scheduler-'));
  clock = new FakeClock(T0);
  h = new Harness(dir, clock);
  await h.scheduler.start();
});
afterEach(async () => {
  await h.scheduler.close();
  h.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('firing', () => {
  it('fires a rate at once and then every interval, with the Scheduler event shape', async () => {
    const s = await h.create('every-minute', 'rate(1 minute)');
    await h.advance(3 * MIN + 1);
    expect(h.times()).toEqual([
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T12:01:00.000Z',
      '2026-01-01T12:02:00.000Z',
      '2026-01-01T12:03:00.000Z',
    ]);
    const first = h.delivered[0]!;
    expect(first.targetArn).toBe(fnArn('tick'));
    expect(first.payload).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '000000000000',
      time: '2026-01-01T12:00:00Z',
      region: 'us-east-1',
      resources: [s.arn],
      detail: '{}',
    });
    // One request id per slot, all different.
    expect(new Set(h.delivered.map((d) => d.requestId)).size).toBe(4);
    expect(h.store.pending()).toEqual([]);
  });

  it('delivers Input verbatim when the schedule has one', async () => {
    await h.create('with-input', 'cron(0/5 * * * ? *)', {
      Target: { Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE, Input: '{"job":"cleanup"}' },
    });
    await h.advance(5 * MIN);
    // 12:00 is a slot of the expression and the schedule exists from 12:00 on.
    expect(h.delivered.map((d) => d.payload)).toEqual([{ job: 'cleanup' }, { job: 'cleanup' }]);
    expect(h.times()).toEqual(['2026-01-01T12:00:00.000Z', '2026-01-01T12:05:00.000Z']);
  });

  it('fires cron in its time zone across a DST change', async () => {
    clock = new FakeClock(Date.UTC(2026, 9, 24, 12));
    await h.scheduler.close();
    h.db.close();
    h = new Harness(dir, clock);
    await h.scheduler.start();
    await h.create('paris', 'cron(30 2 * * ? *)', { ScheduleExpressionTimezone: 'Europe/Paris' });
    await h.advance(3 * 24 * 60 * MIN);
    // 02:30 CEST on the 25th (once, though 02:30 happens twice), then 02:30 CET.
    expect(h.times()).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('spreads FLEXIBLE firings within the window, the same way every time', async () => {
    await h.create('flex', 'rate(1 hour)', {
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
    });
    await h.advance(5 * 60 * MIN);
    expect(h.delivered).toHaveLength(5);
    const offsets = h.delivered.map((d, i) => d.at - (T0 + i * 60 * MIN));
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(30 * MIN);
    }
    expect(new Set(offsets).size).toBeGreaterThan(1);
    // The event still names the slot it is for.
    expect(h.slots()[1]).toBe('2026-01-01T13:00:00Z');
  });

  it('fires a one-time schedule once, then deletes it with ActionAfterCompletion DELETE', async () => {
    await h.create('once', 'at(2026-01-01T13:30:00)', {
      ScheduleExpressionTimezone: 'Europe/Paris',
      ActionAfterCompletion: 'DELETE',
    });
    await h.create('once-kept', 'at(2026-01-01T12:45:00)');
    await h.advance(2 * 60 * MIN);
    expect(h.times()).toEqual(['2026-01-01T12:30:00.000Z', '2026-01-01T12:45:00.000Z']);
    expect(h.store.get('default', 'once')).toBeUndefined();
    expect(h.store.get('default', 'once-kept')).toBeDefined();
  });

  it('keeps to StartDate and EndDate, and never fires a disabled schedule', async () => {
    await h.create('window', 'rate(10 minutes)', { StartDate: T0 + 15 * MIN, EndDate: T0 + 40 * MIN });
    await h.create('off', 'rate(1 minute)', { State: 'DISABLED' });
    await h.advance(60 * MIN);
    expect(h.times()).toEqual([
      '2026-01-01T12:15:00.000Z',
      '2026-01-01T12:25:00.000Z',
      '2026-01-01T12:35:00.000Z',
    ]);
  });

  it('an update takes effect at once; enabling does not replay what was missed', async () => {
    await h.create('later', 'rate(1 minute)', { State: 'DISABLED' });
    await h.advance(10 * MIN);
    await h.service.update('later', undefined, {
      ScheduleExpression: 'cron(0/30 * * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: fnArn('tick'), RoleArn: SCHEDULER_ROLE },
    });
    await h.advance(50 * MIN);
    expect(h.times()).toEqual(['2026-01-01T12:30:00.000Z', '2026-01-01T13:00:00.000Z']);
    h.service.delete('later', undefined);
    await h.advance(60 * MIN);
    expect(h.delivered).toHaveLength(2);
  });
});

describe('restarts and downtime', () => {
  it('a restart never fires the same slot twice', async () => {
    await h.create('steady', 'rate(5 minutes)');
    await h.advance(5 * MIN);
    expect(h.delivered).toHaveLength(2);
    await h.restart();
    await h.advance(0);
    expect(h.delivered).toHaveLength(2);
    await h.advance(5 * MIN);
    expect(h.slots()).toEqual(['2026-01-01T12:00:00Z', '2026-01-01T12:05:00Z', '2026-01-01T12:10:00Z']);
  });

  it('a slot fired but not yet queued when the server died is handed over again with the same id', async () => {
    await h.create('crashy', 'rate(5 minutes)');
    await h.advance(1);
    expect(h.delivered).toHaveLength(1);
    h.hang = true;
    await h.advance(5 * MIN);
    // The cursor moved and the delivery is recorded, but the queue never confirmed it.
    expect(h.store.pending().map((d) => new Date(d.slot).toISOString())).toEqual([
      '2026-01-01T12:05:00.000Z',
    ]);
    const requestId = h.store.pending()[0]!.requestId;
    await h.restart();
    expect(h.delivered).toHaveLength(2);
    expect(h.delivered[1]!.requestId).toBe(requestId);
    expect(h.slots()).toEqual(['2026-01-01T12:00:00Z', '2026-01-01T12:05:00Z']);
    expect(h.store.pending()).toEqual([]);
  });

  it('after downtime fires only the latest missed slot, once', async () => {
    await h.create('frequent', 'cron(0/5 * * * ? *)');
    await h.advance(5 * MIN);
    expect(h.slots()).toEqual(['2026-01-01T12:00:00Z', '2026-01-01T12:05:00Z']);
    await h.scheduler.close();
    // Down from 12:05 to 12:42: seven slots pass.
    await h.clock.advance(37 * MIN, () => settleIo());
    await h.restart();
    expect(h.slots().slice(2)).toEqual(['2026-01-01T12:40:00Z']);
    expect(h.times()[2]).toBe('2026-01-01T12:42:00.000Z');
    await h.advance(8 * MIN);
    expect(h.slots().slice(3)).toEqual(['2026-01-01T12:45:00Z', '2026-01-01T12:50:00Z']);
  });

  it('skips missed slots older than MaximumEventAgeInSeconds', async () => {
    await h.create('daily', 'cron(0 13 * * ? *)', {
      Target: {
        Arn: fnArn('tick'),
        RoleArn: SCHEDULER_ROLE,
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 0 },
      },
    });
    await h.scheduler.close();
    await h.clock.advance(3 * 60 * MIN, () => settleIo());
    await h.restart();
    expect(h.delivered).toEqual([]);
    await h.advance(24 * 60 * MIN);
    expect(h.slots()).toEqual(['2026-01-02T13:00:00Z']);
  });
});

describe('hand-over failures', () => {
  it('retries with backoff, then sends the event to the dead-letter queue', async () => {
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:schedule-dlq';
    const s = await h.create('flaky', 'at(2026-01-01T12:10:00)', {
      Target: {
        Arn: fnArn('tick'),
        RoleArn: SCHEDULER_ROLE,
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
        DeadLetterConfig: { Arn: dlq },
      },
    });
    h.failures = [1, 2, 3].map(() => new LambdaError('TooManyRequestsException', 'Rate exceeded'));
    await h.advance(10 * MIN + 2_000);
    expect(h.deadLettered).toEqual([]);
    expect(h.scheduler.status('default', 'flaky').lastError).toBe('TooManyRequestsException: Rate exceeded');
    await h.advance(2_000);
    expect(h.delivered).toEqual([]);
    expect(h.deadLettered).toHaveLength(1);
    expect(h.deadLettered[0]!.arn).toBe(dlq);
    expect(JSON.parse(h.deadLettered[0]!.body).resources).toEqual([s.arn]);
    expect(h.deadLettered[0]!.attributes).toEqual({
      ERROR_CODE: 'TooManyRequestsException',
      ERROR_MESSAGE: 'Rate exceeded',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExceeded',
      RETRY_ATTEMPTS: '2',
      SCHEDULE_ARN: s.arn,
      TARGET_ARN: fnArn('tick'),
    });
    expect(h.store.pending()).toEqual([]);
  });

  it('reports the lag of a slot the async queue refuses, until it takes it', async () => {
    await h.create('late', 'at(2026-01-01T12:10:00)', {
      Target: {
        Arn: fnArn('tick'),
        RoleArn: SCHEDULER_ROLE,
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 5 },
      },
    });
    const lag = () => h.scheduler.lags().find((l) => l.group === 'default' && l.name === 'late')?.seconds;
    await h.advance(9 * MIN);
    expect(lag()).toBe(0);
    // Refused at 12:10:00, 12:10:01 and 12:10:03 (backoff 1 s, 2 s); taken at 12:10:07.
    h.failures = [1, 2, 3].map(() => new LambdaError('TooManyRequestsException', 'Rate exceeded'));
    await h.advance(MIN + 2_500);
    expect(lag()).toBe(2.5);
    await h.advance(4_000);
    expect(h.delivered).toEqual([]);
    expect(lag()).toBe(6.5);
    await h.advance(1_000);
    expect(h.delivered).toHaveLength(1);
    expect(lag()).toBe(0);
  });

  it('does not retry a function that is gone', async () => {
    h.failures = [new LambdaError('ResourceNotFoundException', `Function not found: ${fnArn('tick')}`)];
    await h.create('orphan', 'rate(1 hour)', {
      Target: {
        Arn: fnArn('tick'),
        RoleArn: SCHEDULER_ROLE,
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
      },
    });
    await h.advance(1);
    expect(h.deadLettered).toHaveLength(1);
    expect(h.deadLettered[0]!.attributes.ERROR_CODE).toBe('ResourceNotFoundException');
    expect(h.deadLettered[0]!.attributes.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    // The next slot is delivered as usual.
    await h.advance(60 * MIN);
    expect(h.delivered).toHaveLength(1);
  });

  it('a slot of a deleted schedule handed over after a restart reports no lag for it', async () => {
    await h.create('doomed', 'rate(5 minutes)');
    await h.create('kept', 'rate(1 hour)');
    await h.advance(1);
    h.hang = true;
    await h.advance(5 * MIN);
    expect(h.store.pending()).toHaveLength(1);
    h.service.delete('doomed', undefined);
    const lagged = () => h.scheduler.lags().map((l) => `${l.group}/${l.name}`);
    // The queue refuses the first hand-over after the restart: the delivery waits for a retry.
    h.failures = [new LambdaError('TooManyRequestsException', 'Rate exceeded')];
    await h.restart();
    expect(h.store.pending()).toHaveLength(1);
    expect(lagged()).toEqual(['default/kept']);
    await h.advance(2_000);
    // The slot fired before the deletion still reaches the function; the schedule stays gone.
    expect(h.delivered.map((d) => d.targetArn)).toHaveLength(3);
    expect(h.store.pending()).toEqual([]);
    expect(lagged()).toEqual(['default/kept']);
  });

  it('a retry that was waiting when the server stopped goes on after the restart', async () => {
    await h.create('patient', 'at(2026-01-01T12:01:00)');
    h.failures = [new Error('disk full')];
    await h.advance(MIN);
    expect(h.store.pending()[0]?.attempts).toBe(1);
    await h.scheduler.close();
    await h.restart();
    expect(h.slots()).toEqual(['2026-01-01T12:01:00Z']);
  });
});
