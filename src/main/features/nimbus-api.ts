import { pricesFrom } from '../../observability/pricing.js';
import { addNimbusRoutes } from '../../services/nimbus/nimbus-routes.js';
import { addSeriesRoutes } from '../../services/nimbus/series-routes.js';
import { addTestEventRoutes } from '../../services/nimbus/test-event-routes.js';
import { SqliteTestEventStore } from '../../store/sqlite/test-event-store.js';
import type { Feature } from '../app.js';
import { NIMBUS_VERSION } from '../paths.js';

/** Logs, metering, usage, metrics series, test events, status and code downloads under `/nimbus/v1`. */
export const nimbusApi: Feature = (app) => {
  const flush = () => app.recorder.flush();
  const now = () => app.clock.now();
  addNimbusRoutes(app.nimbusApi.router, {
    registry: app.registry,
    code: app.code,
    codeLinks: app.codeLinks,
    logs: app.logStore,
    invocations: app.invocationStore,
    sandboxes: app.sandboxes,
    concurrency: app.concurrency,
    prices: pricesFrom(app.config),
    flush,
    version: NIMBUS_VERSION,
    isolation: app.sandboxes.executorName,
    region: app.scope.region,
    accountId: app.scope.accountId,
    authentication: app.auth.enforce,
  });
  addSeriesRoutes(app.nimbusApi.router, {
    registry: app.registry,
    invocations: app.invocationStore,
    flush,
    now,
  });
  addTestEventRoutes(app.nimbusApi.router, {
    registry: app.registry,
    testEvents: new SqliteTestEventStore(app.db),
    now,
  });
};
