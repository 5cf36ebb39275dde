import { AWS_LIST_PRICES } from '../../observability/pricing.js';
import { addNimbusRoutes } from '../../services/nimbus/nimbus-routes.js';
import type { Feature } from '../app.js';
import { NIMBUS_VERSION } from '../paths.js';

/** Logs, metering, usage, status and code downloads under `/nimbus/v1`. */
export const nimbusApi: Feature = (app) => {
  addNimbusRoutes(app.nimbusApi.router, {
    registry: app.registry,
    code: app.code,
    codeLinks: app.codeLinks,
    logs: app.logStore,
    invocations: app.invocationStore,
    sandboxes: app.sandboxes,
    concurrency: app.concurrency,
    prices: AWS_LIST_PRICES,
    flush: () => app.recorder.flush(),
    version: NIMBUS_VERSION,
    isolation: app.sandboxes.executorName,
  });
};
