import { z } from 'zod';
import type { NimbusClient } from './api-client.js';

/**
 * The EventBridge Scheduler calls the `schedule` commands make (`/schedules/...`, signed for
 * service `scheduler`, which is how the server tells them from S3 requests), and Nimbus's status
 * view of schedules. Shapes list only what the CLI reads and allow the rest.
 */
export const ScheduleView = z.looseObject({
  Arn: z.string(),
  Name: z.string(),
  GroupName: z.string(),
  ScheduleExpression: z.string(),
  ScheduleExpressionTimezone: z.string().optional(),
  State: z.string(),
  Target: z.looseObject({ Arn: z.string(), Input: z.string().optional() }),
  Status: z
    .looseObject({
      NextFiring: z.number().optional(),
      LastFired: z.number().optional(),
      LastError: z.string().optional(),
    })
    .optional(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

const Created = z.looseObject({ ScheduleArn: z.string() });
const StatusList = z.looseObject({ Schedules: z.array(ScheduleView) });
const Deleted = z.looseObject({});

const SERVICE = 'scheduler';
/** Any role: Nimbus does not assume roles, but the Scheduler API requires one. */
const ROLE = (accountId: string) => `arn:aws:iam::${accountId}:role/nimbus-scheduler`;

export interface NewSchedule {
  name: string;
  functionArn: string;
  accountId: string;
  expression: string;
  timezone?: string | undefined;
  input?: string | undefined;
  disabled?: boolean | undefined;
}

export class SchedulerApiClient {
  constructor(private readonly client: NimbusClient) {}

  async create(s: NewSchedule): Promise<string> {
    const out = await this.client.call(Created, 'POST', `/schedules/${encodeURIComponent(s.name)}`, {
      service: SERVICE,
      json: {
        ScheduleExpression: s.expression,
        ...(s.timezone ? { ScheduleExpressionTimezone: s.timezone } : {}),
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: s.disabled ? 'DISABLED' : 'ENABLED',
        Target: {
          Arn: s.functionArn,
          RoleArn: ROLE(s.accountId),
          ...(s.input !== undefined ? { Input: s.input } : {}),
        },
      },
    });
    return out.ScheduleArn;
  }

  async delete(name: string): Promise<void> {
    await this.client.call(Deleted, 'DELETE', `/schedules/${encodeURIComponent(name)}`, { service: SERVICE });
  }

  /** Every schedule (of one function) with its next firing and last error. */
  async list(functionName?: string): Promise<ScheduleView[]> {
    const out = await this.client.call(StatusList, 'GET', '/nimbus/v1/schedules', {
      query: { FunctionName: functionName },
    });
    return out.Schedules;
  }
}
