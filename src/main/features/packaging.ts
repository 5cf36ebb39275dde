import { addLayerRoutes } from '../../services/lambda/layers-routes.js';
import { addVersionRoutes } from '../../services/lambda/versions-routes.js';
import { addBuildRoutes } from '../../services/nimbus/build-routes.js';
import type { Feature } from '../app.js';

/** Versions, aliases and layers on the Lambda API; build status and logs under `/nimbus/v1`. */
export const packaging: Feature = (app) => {
  const { registry, scope, codeLinks, layers } = app;
  addVersionRoutes(app.lambdaApi.router, { registry, scope });
  addLayerRoutes(app.lambdaApi.router, { layers, codeLinks, scope, readObject: () => app.readObject });
  addBuildRoutes(app.nimbusApi.router, { registry, logs: app.logStore, flush: () => app.recorder.flush() });
};
