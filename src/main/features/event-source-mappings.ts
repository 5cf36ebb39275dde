import { addEventSourceMappingRoutes } from '../../services/lambda/event-source-mapping-routes.js';
import { addTriggerStatusRoutes } from '../../services/nimbus/trigger-routes.js';
import { SqliteMappingStore } from '../../store/sqlite/mapping-store.js';
import { batchInvoker } from '../../triggers/esm/batch-invoker.js';
import { EventSourceMappingService } from '../../triggers/esm/mapping-service.js';
import type { EventSourceKind } from '../../triggers/esm/source-kind.js';
import { postgresKind } from '../../triggers/postgres/postgres-kind.js';
import { sqsKind } from '../../triggers/sqs/sqs-kind.js';
import type { Feature } from '../app.js';

/**
 * Event source mappings (poll-based triggers): the Lambda API's `/2015-03-31/event-source-mappings`,
 * a status view under `/nimbus/v1`, and a service that runs one poller per enabled mapping.
 * Needs the `queues` feature installed first.
 */
export const eventSourceMappings: Feature = (app) => {
  const kinds: EventSourceKind[] = [];
  if (app.queues) kinds.push(sqsKind(app.queues));
  kinds.push(postgresKind(app.queues, { clock: app.clock }));
  const mappings = new EventSourceMappingService({
    store: new SqliteMappingStore(app.db),
    registry: app.registry,
    kinds,
    invoke: batchInvoker(app.invoke),
    clock: app.clock,
    log: app.log,
    scope: app.scope,
    defaultMaxConcurrency: app.config.concurrency,
  });
  app.eventSourceMappings = mappings;
  addEventSourceMappingRoutes(app.lambdaApi.router, { mappings, scope: app.scope });
  addTriggerStatusRoutes(app.nimbusApi.router, { mappings, scope: app.scope });
  app.metrics.gauge(
    'nimbus_trigger_lag_seconds',
    'Event source mappings: age of the oldest record waiting for the function (SQS: since it was sent; PostgreSQL: since its commit)',
    ['mapping', 'function', 'source'],
    async (set, scrape) => {
      for (const { mapping, lagSeconds } of await mappings.lags(scrape)) {
        set(
          { mapping: mapping.uuid, function: mapping.functionName, source: mapping.eventSourceArn },
          lagSeconds,
        );
      }
    },
  );
  app.services.push({
    name: 'event-source-mappings',
    start: () => mappings.start(),
    // Pollers stop before the queue service wakes its long polls for shutdown.
    drain: () => void mappings.close(),
    close: () => mappings.close(),
  });
};
