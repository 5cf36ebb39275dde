import type { AccountScope } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import type { ScheduleStore } from '../store/schedule-ports.js';
import { parseExpression } from './expression.js';
import { DEFAULT_GROUP, DEFAULT_RETRY, type Schedule, type ScheduleConfig, scheduleArn } from './schedule.js';
import type { Scheduler } from './scheduler.js';
import { SchedulerError, scheduleNotFound, validation } from './scheduler-errors.js';

/** A CreateSchedule / UpdateSchedule request after its shape was checked (dates in epoch ms). */
export interface ScheduleInput {
  Description?: string | undefined;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string | undefined;
  StartDate?: number | undefined;
  EndDate?: number | undefined;
  State?: 'ENABLED' | 'DISABLED' | undefined;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number | undefined };
  Target: {
    Arn: string;
    RoleArn: string;
    Input?: string | undefined;
    RetryPolicy?:
      | { MaximumEventAgeInSeconds?: number | undefined; MaximumRetryAttempts?: number | undefined }
      | undefined;
    DeadLetterConfig?: { Arn?: string | undefined } | undefined;
    /** Parameters of other target types: present means the target is not a function. */
    other?: string | undefined;
  };
  ActionAfterCompletion?: 'NONE' | 'DELETE' | undefined;
  KmsKeyArn?: string | undefined;
}

export interface ScheduleServiceOptions {
  store: ScheduleStore;
  scheduler: Pick<Scheduler, 'changed'>;
  clock: Clock;
  scope: AccountScope;
  /** Whether a function ARN names a function of this Nimbus (any state). */
  functionExists(arn: string): Promise<boolean>;
  /** Whether an SQS ARN names a queue of this Nimbus; absent when there is no queue service. */
  queueExists?(arn: string): Promise<boolean>;
}

const LAMBDA_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
/** AWS's StartDate rule for recurring schedules. */
const START_DATE_SLACK_MS = 5 * 60_000;

/**
 * Schedules as the EventBridge Scheduler API manages them: checked (expression, time zone, dates,
 * target) before anything is stored, stored, and handed to the {@link Scheduler}. Only the
 * `default` group exists; targets are functions of this Nimbus.
 */
export class ScheduleService {
  constructor(private readonly o: ScheduleServiceOptions) {}

  arn(group: string, name: string): string {
    return scheduleArn(this.o.scope.region, this.o.scope.accountId, group, name);
  }

  async create(name: string, group: string | undefined, input: ScheduleInput): Promise<Schedule> {
    const g = this.#group(group);
    const config = await this.#config(input);
    const now = this.o.clock.now();
    const schedule: Schedule = {
      group: g,
      name,
      arn: this.arn(g, name),
      config,
      createdAt: now,
      updatedAt: now,
      anchor: config.StartDate ?? now,
      // Slots from now on count; a rate's first slot is now itself.
      cursor: now - 1,
    };
    if (!this.o.store.insert(schedule)) {
      throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
    }
    this.o.scheduler.changed(g, name);
    return schedule;
  }

  /** UpdateSchedule replaces the whole configuration; rates count again from now (or StartDate). */
  async update(name: string, group: string | undefined, input: ScheduleInput): Promise<Schedule> {
    const g = this.#group(group);
    const current = this.o.store.get(g, name);
    if (!current) throw scheduleNotFound(name);
    const config = await this.#config(input);
    const now = this.o.clock.now();
    const schedule: Schedule = {
      ...current,
      config,
      updatedAt: Math.max(now, current.updatedAt + 1),
      anchor: config.StartDate ?? now,
      cursor: Math.max(current.cursor, now - 1),
    };
    if (!this.o.store.replace(schedule)) throw scheduleNotFound(name);
    this.o.scheduler.changed(g, name);
    return schedule;
  }

  get(name: string, group: string | undefined): Schedule {
    const s = this.o.store.get(this.#group(group), name);
    if (!s) throw scheduleNotFound(name);
    return s;
  }

  delete(name: string, group: string | undefined): void {
    const g = this.#group(group);
    if (!this.o.store.remove(g, name)) throw scheduleNotFound(name);
    this.o.scheduler.changed(g, name);
  }

  list(q: {
    group?: string | undefined;
    namePrefix?: string | undefined;
    state?: 'ENABLED' | 'DISABLED' | undefined;
    maxResults?: number | undefined;
    nextToken?: string | undefined;
  }): { schedules: Schedule[]; nextToken?: string } {
    const group = q.group === undefined ? undefined : this.#group(q.group);
    const limit = q.maxResults ?? 100;
    let afterName: string | undefined;
    if (q.nextToken !== undefined) {
      afterName = Buffer.from(q.nextToken, 'base64url').toString('utf8');
      if (!afterName.includes('\0')) throw validation('The NextToken is not valid.');
    }
    const page = this.o.store.list({
      group,
      namePrefix: q.namePrefix,
      state: q.state,
      afterName,
      limit: limit + 1,
    });
    const schedules = page.slice(0, limit);
    const last = schedules[schedules.length - 1];
    return page.length > limit && last
      ? { schedules, nextToken: Buffer.from(`${last.group}\0${last.name}`).toString('base64url') }
      : { schedules };
  }

  #group(group: string | undefined): string {
    const g = group ?? DEFAULT_GROUP;
    if (g !== DEFAULT_GROUP) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule group ${g} does not exist.`);
    }
    return g;
  }

  async #config(input: ScheduleInput): Promise<ScheduleConfig> {
    const zone = input.ScheduleExpressionTimezone;
    const expression = parseExpression(input.ScheduleExpression, zone);
    const now = this.o.clock.now();
    const { StartDate: start, EndDate: end } = input;
    if (start !== undefined && expression.kind !== 'at' && start < now - START_DATE_SLACK_MS) {
      throw validation('The StartDate you specify cannot be earlier than 5 minutes ago.');
    }
    if (end !== undefined && end <= now) {
      throw validation('The EndDate you specify cannot be earlier than the current time.');
    }
    if (start !== undefined && end !== undefined && end <= start) {
      throw validation('The EndDate you specify must be later than the StartDate.');
    }
    const window = input.FlexibleTimeWindow;
    if (window.Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes === undefined) {
      throw validation('MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.');
    }
    if (window.Mode === 'OFF' && window.MaximumWindowInMinutes !== undefined) {
      throw validation('MaximumWindowInMinutes cannot be set when FlexibleTimeWindow Mode is OFF.');
    }
    const target = input.Target;
    await this.#checkTarget(target);
    const dlq = target.DeadLetterConfig?.Arn;
    if (dlq !== undefined && this.o.queueExists && !(await this.o.queueExists(dlq))) {
      throw validation(`The dead-letter queue ${dlq} does not exist.`);
    }
    const retry = target.RetryPolicy;
    return {
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ScheduleExpression: input.ScheduleExpression,
      ...(zone !== undefined ? { ScheduleExpressionTimezone: zone } : {}),
      ...(start !== undefined ? { StartDate: start } : {}),
      ...(end !== undefined ? { EndDate: end } : {}),
      State: input.State ?? 'ENABLED',
      FlexibleTimeWindow: {
        Mode: window.Mode,
        ...(window.MaximumWindowInMinutes !== undefined
          ? { MaximumWindowInMinutes: window.MaximumWindowInMinutes }
          : {}),
      },
      Target: {
        Arn: target.Arn,
        RoleArn: target.RoleArn,
        ...(target.Input !== undefined ? { Input: target.Input } : {}),
        RetryPolicy: {
          MaximumEventAgeInSeconds: retry?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.MaximumEventAgeInSeconds,
          MaximumRetryAttempts: retry?.MaximumRetryAttempts ?? DEFAULT_RETRY.MaximumRetryAttempts,
        },
        ...(dlq !== undefined ? { DeadLetterConfig: { Arn: dlq } } : {}),
      },
      ActionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
      ...(input.KmsKeyArn !== undefined ? { KmsKeyArn: input.KmsKeyArn } : {}),
    };
  }

  async #checkTarget(target: ScheduleInput['Target']): Promise<void> {
    if (target.other !== undefined || !LAMBDA_ARN.test(target.Arn)) {
      throw validation(
        `Nimbus schedules invoke functions only: ${target.Arn} is not a Lambda function ARN` +
          `${target.other ? ` (and ${target.other} belong to other target types)` : ''}.`,
      );
    }
    if (!(await this.o.functionExists(target.Arn))) {
      throw validation(`The target function ${target.Arn} does not exist.`);
    }
    if (target.Input !== undefined) {
      try {
        JSON.parse(target.Input);
      } catch {
        throw validation('Target.Input must be well-formed JSON for a Lambda function target.');
      }
    }
  }
}
