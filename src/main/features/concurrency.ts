import { ConcurrencyConfig } from '../../invoke/concurrency-config.js';
import { addConcurrencyRoutes } from '../../services/lambda/concurrency-routes.js';
import { SqliteConcurrencyStore } from '../../store/sqlite/concurrency-store.js';
import type { Feature } from '../app.js';

/**
 * Reserved and provisioned concurrency: the Lambda API operations, the stored settings loaded
 * into the limiter before the server serves, and the provisioned sandboxes started once it does
 * (and again for each new revision of a function).
 */
export const concurrency: Feature = async (app) => {
  const config = new ConcurrencyConfig({
    store: new SqliteConcurrencyStore(app.db),
    limiter: app.concurrency,
    registry: app.registry,
    sandboxes: app.sandboxes,
    invoke: app.invoke,
    clock: app.clock,
  });
  await config.load();
  addConcurrencyRoutes(app.lambdaApi.router, { concurrency: config });
  app.registry.onChange((change) => {
    config
      .functionChanged(change)
      .catch((err: unknown) => app.log.warn({ err, function: change.name }, 'provisioning failed'));
  });
  app.services.push({
    name: 'provisioned-concurrency',
    start: () => config.provisionAll(),
    close: async () => {},
  });
};
