import { Option } from 'commander';
import { SchedulerApiClient } from '../../scheduler-client.js';
import { jsonInput } from '../schedule.js';
import type { TriggerKind } from './trigger-kind.js';

/** A schedule's id in `nimbus trigger list`: `schedule/<name>`. */
const SCHEDULE_ID = /^schedule\/([0-9a-zA-Z-_.]{1,64})$/;

/**
 * `nimbus trigger add <fn> --schedule "rate(5 minutes)" [--timezone Z] [--input JSON]`: the
 * same as `nimbus schedule add`, listed with the function's other triggers.
 */
export const scheduleTrigger: TriggerKind = {
  name: 'schedule',
  addOptions(cmd) {
    cmd.addOption(new Option('--schedule <expr>', 'rate(...), cron(...) or at(...): run on a schedule'));
    cmd.addOption(new Option('--timezone <zone>', 'schedule: IANA time zone of the expression'));
    cmd.addOption(new Option('--input <json>', 'schedule: the event instead of the scheduled event'));
  },
  selects: (opts) => typeof opts.schedule === 'string',
  async add(client, target, opts) {
    const scheduler = new SchedulerApiClient(client);
    const taken = new Set((await scheduler.list()).map((s) => s.Name));
    let name = target.name;
    for (let n = 1; taken.has(name); n++) name = `${target.name}-${n}`;
    await scheduler.create({
      name,
      functionArn: `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.name}`,
      accountId: target.accountId,
      expression: String(opts.schedule),
      timezone: opts.timezone as string | undefined,
      input: jsonInput(opts.input),
      disabled: opts.disabled === true,
    });
    return `${target.name} now runs on ${String(opts.schedule)} (schedule ${name})`;
  },
  async list(client, functionName) {
    return (await new SchedulerApiClient(client).list(functionName)).map((s) => ({
      id: `schedule/${s.Name}`,
      type: 'schedule',
      source:
        s.ScheduleExpression +
        (s.ScheduleExpressionTimezone && s.ScheduleExpressionTimezone !== 'UTC'
          ? ` ${s.ScheduleExpressionTimezone}`
          : ''),
      state: s.State === 'ENABLED' ? 'Enabled' : 'Disabled',
      batch: '-',
      lag:
        s.Status?.NextFiring === undefined
          ? '-'
          : `next ${new Date(s.Status.NextFiring * 1000).toISOString().replace('.000Z', 'Z')}`,
      result: s.Status?.LastError
        ? `PROBLEM: ${s.Status.LastError}`
        : s.Status?.LastFired === undefined
          ? '-'
          : 'OK',
    }));
  },
  async remove(client, id) {
    const m = SCHEDULE_ID.exec(id);
    if (!m) return undefined;
    await new SchedulerApiClient(client).delete(m[1]!);
    return `Deleted schedule ${m[1]}`;
  },
};
