import { parseFunctionRef } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import type { MessageAttributes } from '../../queues/message-digest.js';
import { ScheduleService } from '../../schedules/schedule-service.js';
import { Scheduler } from '../../schedules/scheduler.js';
import { addScheduleStatusRoutes } from '../../services/nimbus/schedule-status-routes.js';
import { SchedulerSurface } from '../../services/scheduler/scheduler-surface.js';
import { SqliteScheduleStore } from '../../store/sqlite/schedule-store.js';
import type { Feature } from '../app.js';

/**
 * Schedules: the EventBridge Scheduler API subset (claimed by SigV4 service `scheduler`), the
 * scheduler that fires them into the asynchronous invoke path (`app.eventInvoker`, read at each
 * firing), dead-letter queues on the built-in queue service, and `/nimbus/v1/schedules`.
 * Install after `queues`.
 */
export const schedules: Feature = (app) => {
  const store = new SqliteScheduleStore(app.db);
  // Read at each use: `app.scheduleClock` may be set by a feature installed after this one.
  const current = () => app.scheduleClock ?? app.clock;
  const clock: Clock = {
    now: () => current().now(),
    monotonic: () => current().monotonic(),
    setTimeout: (fn, ms) => current().setTimeout(fn, ms),
  };
  const queues = app.queues;
  const scheduler = new Scheduler({
    store,
    clock,
    scope: app.scope,
    log: app.log,
    deliver: async ({ targetArn, payload, requestId }) => {
      if (!app.eventInvoker) throw new Error('asynchronous invocation is not available');
      await app.eventInvoker.invokeAsync({ ref: parseFunctionRef(app.scope, targetArn), payload, requestId });
    },
    ...(queues
      ? {
          deadLetter: async (
            arn: string,
            body: string,
            attributes: Record<string, string>,
            requestId: string,
          ) => {
            const queue = await queues.findByArn(arn);
            if (!queue) throw new Error(`the queue ${arn} does not exist (any more)`);
            const attrs: MessageAttributes = {};
            for (const [k, v] of Object.entries(attributes))
              attrs[k] = { DataType: 'String', StringValue: v };
            await queues.send(queue.name, {
              body,
              attributes: attrs,
              // FIFO queues need a group (one per schedule keeps its events in order) and a dedup id.
              ...(queue.name.endsWith('.fifo')
                ? { groupId: attributes.SCHEDULE_ARN ?? arn, dedupId: requestId }
                : {}),
            });
          },
        }
      : {}),
  });
  const service = new ScheduleService({
    store,
    scheduler,
    clock,
    scope: app.scope,
    functionExists: async (arn) => {
      try {
        return (await app.registry.get(parseFunctionRef(app.scope, arn).name)) !== undefined;
      } catch {
        return false;
      }
    },
    ...(queues ? { queueExists: async (arn: string) => (await queues.findByArn(arn)) !== undefined } : {}),
  });
  app.surfaces.push(new SchedulerSurface(service, app.auth, app.log));
  addScheduleStatusRoutes(app.nimbusApi.router, { schedules: service, scheduler });
  app.metrics.gauge(
    'nimbus_schedule_lag_seconds',
    'Schedules: age of the oldest fired slot the asynchronous queue has not taken yet (0 when none waits)',
    ['group', 'schedule'],
    (set) => {
      for (const l of scheduler.lags()) set({ group: l.group, schedule: l.name }, l.seconds);
    },
  );
  app.services.push({ name: 'scheduler', start: () => scheduler.start(), close: () => scheduler.close() });
};
