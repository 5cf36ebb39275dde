import { DestinationRouter, LambdaDestinationSender } from '../../async/destinations.js';
import { AsyncDispatcher } from '../../async/dispatcher.js';
import { EventInvokeConfigs } from '../../async/event-invoke-configs.js';
import { EventQueue } from '../../async/event-queue.js';
import { NO_RESERVED_CONCURRENCY } from '../../async/ports.js';
import { RetryPolicy } from '../../async/retry-policy.js';
import { isLambdaError } from '../../domain/errors.js';
import { addEventInvokeConfigRoutes } from '../../services/lambda/event-invoke-config-routes.js';
import { addInvokeAsyncRoutes } from '../../services/lambda/invoke-async-routes.js';
import { addEventsRoutes } from '../../services/nimbus/events-routes.js';
import { SqliteAsyncEventStore } from '../../store/sqlite/async-event-store.js';
import { SqliteEventInvokeConfigStore } from '../../store/sqlite/event-invoke-config-store.js';
import { GroupCommitter } from '../../store/sqlite/group-commit.js';
import type { Feature } from '../app.js';

/**
 * The states `nimbus_async_events` reports. `succeeded` is left out: those rows are only kept an
 * hour for listing (nimbus_invocations_total counts what ran); a function whose events all
 * succeeded shows zeros until they are pruned.
 */
const DEPTH_STATES = ['queued', 'retrying', 'in-flight', 'failed'] as const;

/**
 * Asynchronous invocation: the durable event queue (group-committed into the SQLite database),
 * its dispatcher, EventInvokeConfig, destinations, InvokeAsync, and `/nimbus/v1/.../events`.
 * Sets `app.eventInvoker` and `app.destinations` for other features.
 */
export const asyncInvoke: Feature = (app) => {
  const { registry, scope, clock } = app;
  // Accepting an event commits at the configured durability; outcomes only need to survive a
  // kill (a lost one makes the event run again), so `power` costs an fsync per accept batch only.
  const updates = new GroupCommitter(app.db, 'process');
  const accepts =
    app.config.asyncDurability === 'process'
      ? updates
      : new GroupCommitter(app.db, app.config.asyncDurability);
  const store = new SqliteAsyncEventStore(app.db, accepts, updates);
  const destinations = new DestinationRouter();
  const configs = new EventInvokeConfigs({
    store: new SqliteEventInvokeConfigStore(app.db),
    registry,
    destinations,
    clock,
  });
  const dispatcher = new AsyncDispatcher({
    store,
    config: (name, qualifier) => configs.effective(name, qualifier),
    invoke: (req) => app.invoke.invoke(req),
    acquire: (name) => app.concurrency.acquire(name),
    // Read per event, so the reserved-concurrency feature can be installed in any order.
    reserved: {
      reservedFor: (name) => (app.reservedConcurrency ?? NO_RESERVED_CONCURRENCY).reservedFor(name),
    },
    send: (arn, message) => destinations.send(arn, message),
    // DeadLetterConfig is version configuration: the version that ran (or the qualifier's) decides.
    deadLetterTarget: async (name, qualifier) => {
      try {
        const { version } = await registry.requireVersion({ name, ...(qualifier ? { qualifier } : {}) });
        return version.deadLetterTargetArn;
      } catch (e) {
        if (isLambdaError(e) && e.code === 'ResourceNotFoundException') return undefined;
        throw e;
      }
    },
    functionArn: (name, qualifier) => registry.arn(name, qualifier),
    policy: new RetryPolicy(app.config.asyncDelayScale),
    clock,
    log: app.log,
  });
  const queue = new EventQueue({
    store,
    check: (ref) => app.invoke.check(ref),
    clock,
    onDue: (name, dueAt) => dispatcher.due(name, dueAt),
  });
  destinations.register(new LambdaDestinationSender(registry, scope, queue));

  // A configuration lives and dies with its version or alias.
  registry.onChange((change) => {
    if (change.kind !== 'published' && change.kind !== 'aliased') return;
    configs
      .forgetRemovedQualifiers(change.name)
      .catch((err: unknown) =>
        app.log.warn(
          { err, function: change.name },
          'dropping EventInvokeConfigs of removed qualifiers failed',
        ),
      );
  });

  app.eventInvoker = queue;
  app.destinations = destinations;
  addEventInvokeConfigRoutes(app.lambdaApi.router, { configs, registry });
  addInvokeAsyncRoutes(app.lambdaApi.router, { events: queue });
  addEventsRoutes(app.nimbusApi.router, { registry, queue });
  app.services.push(dispatcher);

  // Queue depth, read at scrape time.
  app.metrics.gauge(
    'nimbus_async_events',
    'Asynchronous events by function and state (queued, retrying, in-flight, failed)',
    ['function', 'state'],
    async (set) => {
      for (const { functionName, counts } of await store.countAll()) {
        for (const state of DEPTH_STATES) set({ function: functionName, state }, counts[state] ?? 0);
      }
    },
  );
};
