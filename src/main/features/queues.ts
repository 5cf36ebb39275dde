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
  app.services.push({
    name: 'queues',
    start: async () => undefined,
    drain: () => service.close(),
    close: async () => service.close(),
  });
};
