import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { TEST_CREDENTIALS } from './server.js';

/** An `@aws-sdk/client-scheduler` client pointed at a Nimbus server. */
export function schedulerClient(url: string): SchedulerClient {
  return new SchedulerClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
}

export const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
export const SCHEDULER_ROLE = 'arn:aws:iam::000000000000:role/scheduler-role';

/** The members every schedule needs, targeting `fn`. */
export function scheduleRequest(fn: string, expression: string, extra: Record<string, unknown> = {}) {
  return {
    ScheduleExpression: expression,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    Target: { Arn: fnArn(fn), RoleArn: SCHEDULER_ROLE },
    ...extra,
  };
}
