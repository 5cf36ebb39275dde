import { z } from 'zod';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { ScheduleService } from '../../schedules/schedule-service.js';
import type { Scheduler } from '../../schedules/scheduler.js';
import type { LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';
import { describeSchedule } from '../scheduler/scheduler-surface.js';

const Query = z.strictObject({ FunctionName: z.string().min(1).max(140).optional() });

/** `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]` → name. */
const functionOf = (arn: string) => arn.split(':')[6];

/**
 * `GET /nimbus/v1/schedules?FunctionName=`: every schedule (GetSchedule's shape) with what the
 * scheduler knows of it (next firing, last fired slot, last delivery error), for
 * `nimbus schedule list` and `nimbus trigger list`. AWS has no wire format for this view.
 */
export function addScheduleStatusRoutes(
  router: RestRouter<LambdaRoute>,
  d: { schedules: ScheduleService; scheduler: Scheduler },
): void {
  router.add('GET', '/nimbus/v1/schedules', {
    operation: 'ListScheduleStatus',
    handler: async (call) => {
      const q = parseMembers(Query, Object.fromEntries(call.x.query));
      const out = [];
      let nextToken: string | undefined;
      do {
        const page = d.schedules.list({ maxResults: 100, nextToken });
        for (const s of page.schedules) {
          if (q.FunctionName && functionOf(s.config.Target.Arn) !== q.FunctionName) continue;
          const st = d.scheduler.status(s.group, s.name);
          out.push({
            ...describeSchedule(s),
            Status: {
              ...(st.nextFiring !== undefined ? { NextFiring: st.nextFiring / 1000 } : {}),
              ...(st.lastFired !== undefined ? { LastFired: st.lastFired / 1000 } : {}),
              ...(st.lastError ? { LastError: st.lastError } : {}),
            },
          });
        }
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return { status: 200, json: { Schedules: out } };
    },
  });
}
