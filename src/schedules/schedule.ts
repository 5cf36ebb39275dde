import { z } from 'zod';

/**
 * A schedule as EventBridge Scheduler describes it (member names as on the wire), and what Nimbus
 * keeps beside it to fire it: the rate anchor and the cursor (every slot at or before it is done).
 */
export const DEFAULT_GROUP = 'default';
/** Target.RetryPolicy when the request has none (what GetSchedule then shows on AWS). */
export const DEFAULT_RETRY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } as const;

export const ScheduleConfigSchema = z.object({
  Description: z.string().optional(),
  ScheduleExpression: z.string(),
  ScheduleExpressionTimezone: z.string().optional(),
  /** Epoch ms. */
  StartDate: z.number().optional(),
  /** Epoch ms. */
  EndDate: z.number().optional(),
  State: z.enum(['ENABLED', 'DISABLED']),
  FlexibleTimeWindow: z.object({
    Mode: z.enum(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: z.number().optional(),
  }),
  Target: z.object({
    Arn: z.string(),
    RoleArn: z.string(),
    Input: z.string().optional(),
    RetryPolicy: z.object({ MaximumEventAgeInSeconds: z.number(), MaximumRetryAttempts: z.number() }),
    DeadLetterConfig: z.object({ Arn: z.string() }).optional(),
  }),
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']),
  KmsKeyArn: z.string().optional(),
});
export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;

export interface Schedule {
  group: string;
  name: string;
  arn: string;
  config: ScheduleConfig;
  createdAt: number;
  updatedAt: number;
  /** Rates count from here: StartDate, else when the schedule was created or last updated. */
  anchor: number;
  /** Slots at or before this instant are done (fired or skipped). */
  cursor: number;
}

export const scheduleArn = (region: string, accountId: string, group: string, name: string) =>
  `arn:aws:scheduler:${region}:${accountId}:schedule/${group}/${name}`;

/** A fired slot on its way into the asynchronous invoke path (kept until it is queued). */
export interface PendingDelivery {
  /** Derived from schedule and slot: the async queue takes one event per id. */
  requestId: string;
  scheduleArn: string;
  targetArn: string;
  slot: number;
  payload: Buffer;
  attempts: number;
  maxAttempts: number;
  maxAgeMs: number;
  deadLetterArn?: string | undefined;
}
