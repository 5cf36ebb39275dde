import { QueueService } from '../../queues/queue-service.js';
import { SqsSurface } from '../../services/sqs/sqs-surface.js';
import { SqliteQueueStore } from '../../store/sqlite/queue-store.js';
import type { Feature } from '../app.js';

/**
 * The built-in queue service (SQS API on the shared port). Sets `app.queues` for features that
 * deliver to queues (event source mappings, destinations).
 */
export const queues: Feature = (app) => {
  const service = new QueueService({
    store: new SqliteQueueStore(app.db),
    clock: app.clock,
    scope: app.scope,
  });
  app.queues = service;
  app.surfaces.push(new SqsSurface(service, app.log, app.auth));
  // The counts GetQueueAttributes returns as ApproximateNumberOfMessages, ...NotVisible, ...Delayed.
  app.metrics.gauge(
    'nimbus_sqs_messages',
    'Messages per queue: visible (waiting), in-flight (received, not yet visible again), delayed',
    ['queue', 'state'],
    async (set, scrape) => {
      for (const [name, stats] of await service.scrapeStats(scrape)) {
        set({ queue: name, state: 'visible' }, stats.visible);
        set({ queue: name, state: 'in-flight' }, stats.inFlight);
        set({ queue: name, state: 'delayed' }, stats.delayed);
      }
    },
  );
  app.services.push({
    name: 'queues',
    start: async () => undefined,
    drain: () => service.close(),
    close: async () => service.close(),
  });
};
