import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { awsConfig, nimbus } from '../api/client';
import type { CreatedTrigger, FunctionTarget, Option, Settings, TriggerRow } from '../triggers';

/** A schedule as `/nimbus/v1/schedules` reports it: GetSchedule's fields plus the scheduler's view. */
interface ScheduleStatus {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: string;
  Target: { Arn: string };
  Status?: { NextFiring?: number; LastFired?: number; LastError?: string };
}

/** Signed for service `scheduler` by the SDK, which is how Nimbus tells these calls from S3's. */
const schedulerClient = () => new SchedulerClient(awsConfig());

/** Nimbus does not assume roles, but the Scheduler API requires one (as `nimbus schedule add` sends). */
const roleArn = (fn: FunctionTarget) => `arn:aws:iam::${fn.accountId}:role/nimbus-scheduler`;

const when = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

/** The IANA time zones this browser knows, for the time zone field's suggestions. */
export async function timeZoneOptions(): Promise<Option[]> {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')].map((z) => ({ value: z, label: z }));
}

/** The first of `<function>`, `<function>-1`, … that no schedule has, as `nimbus trigger add` names them. */
async function freeName(c: SchedulerClient, fn: string): Promise<string> {
  const taken = new Set<string>();
  let token: string | undefined;
  do {
    const page = await c.send(
      new ListSchedulesCommand({ NamePrefix: fn.slice(0, 64), ...(token ? { NextToken: token } : {}) }),
    );
    for (const s of page.Schedules ?? []) if (s.Name) taken.add(s.Name);
    token = page.NextToken;
  } while (token);
  let name = fn.slice(0, 64);
  // Shorten the function's name, never the suffix, so that a 64-character name still counts up.
  for (let n = 1; taken.has(name); n++) name = `${fn.slice(0, 64 - `-${n}`.length)}-${n}`;
  return name;
}

/**
 * CreateSchedule targeting the function (its unqualified ARN), in the default group, with no
 * flexible window. The expression, time zone, name and input are checked by the Scheduler API.
 */
export async function createSchedule(fn: FunctionTarget, s: Settings): Promise<CreatedTrigger> {
  const c = schedulerClient();
  try {
    const expression = (s.scheduleExpression ?? '').trim();
    const zone = (s.scheduleExpressionTimezone ?? '').trim();
    const input = (s.input ?? '').trim();
    const name = (s.name ?? '').trim() || (await freeName(c, fn.name));
    await c.send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: expression,
        ...(zone ? { ScheduleExpressionTimezone: zone } : {}),
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: s.state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        Target: { Arn: fn.arn, RoleArn: roleArn(fn), ...(input ? { Input: input } : {}) },
      }),
    );
    return {
      message: `Schedule ${name}: ${fn.name} runs on ${expression}${zone && zone !== 'UTC' ? ` (${zone})` : ''}`,
    };
  } finally {
    c.destroy();
  }
}

/** The function's schedules with their next firing and last delivery error. */
export async function listSchedules(fn: FunctionTarget): Promise<TriggerRow[]> {
  const { Schedules } = await nimbus<{ Schedules: ScheduleStatus[] }>('GET', '/nimbus/v1/schedules', {
    query: { FunctionName: fn.name },
  });
  return Schedules.map((s) => {
    const st = s.Status ?? {};
    const zone = s.ScheduleExpressionTimezone;
    return {
      kind: 'Schedule',
      id: `${s.GroupName}/${s.Name}`,
      source: `${s.ScheduleExpression}${zone && zone !== 'UTC' ? ` ${zone}` : ''}`,
      details: [
        `schedule ${s.Name}`,
        ...(s.GroupName !== 'default' ? [`group ${s.GroupName}`] : []),
        ...(st.NextFiring !== undefined ? [`next ${when(st.NextFiring)}`] : []),
      ].join(' · '),
      state: s.State === 'ENABLED' ? 'Enabled' : 'Disabled',
      ...(st.LastFired !== undefined && !st.LastError
        ? { lastResult: `OK (fired ${when(st.LastFired)})` }
        : {}),
      ...(st.LastError ? { lastResult: 'PROBLEM', lastError: st.LastError } : {}),
      remove: async () => {
        const c = schedulerClient();
        try {
          await c.send(
            new DeleteScheduleCommand({
              Name: s.Name,
              ...(s.GroupName !== 'default' ? { GroupName: s.GroupName } : {}),
            }),
          );
        } finally {
          c.destroy();
        }
      },
    };
  });
}
