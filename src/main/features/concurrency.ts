import { ConcurrencyConfig } from '../../invoke/concurrency-config.js';
import { addConcurrencyRoutes } from '../../services/lambda/concurrency-routes.js';
import { SqliteConcurrencyStore } from '../../store/sqlite/concurrency-store.js';
import type { Feature } from '../app.js';

/**
 * Reserved and provisioned concurrency: the Lambda API operations, the stored settings loaded
 * into the limiter before the server serves, the provisioned sandboxes of versions and aliases
 * started once it does (and again when an alias moves), and the rule that alias changes must
 * respect provisioned concurrency.
 */
export const concurrency: Feature = async (app) => {
  const config = new ConcurrencyConfig({
    store: new SqliteConcurrencyStore(app.db),
    limiter: app.concurrency,
    registry: app.registry,
    sandboxes: app.sandboxes,
    invoke: app.invoke,
    clock: app.clock,
    log: app.log,
  });
  await config.load();
  app.registry.guardAliases((record, alias) => config.checkAlias(record, alias));
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
