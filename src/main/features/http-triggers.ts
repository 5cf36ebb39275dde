import { ApiGatewaySurface } from '../../services/apigatewayv2/apigw-surface.js';
import { addApisRoutes } from '../../services/apigatewayv2/apis-routes.js';
import { addFunctionUrlRoutes } from '../../services/lambda/function-url-routes.js';
import { addStreamInvokeRoutes } from '../../services/lambda/stream-invoke-routes.js';
import { SqliteFunctionUrlStore } from '../../store/sqlite/function-url-store.js';
import { SqliteHttpApiStore } from '../../store/sqlite/http-api-store.js';
import { FunctionUrlSurface, functionUrlHost } from '../../triggers/http/function-url-surface.js';
import { FunctionUrlService } from '../../triggers/http/function-urls.js';
import { HttpApiSurface, httpApiHost } from '../../triggers/http/http-api-surface.js';
import { HttpApiService } from '../../triggers/http/http-apis.js';
import type { Feature } from '../app.js';

/**
 * HTTP triggers: function URLs (Lambda API `/2021-10-31/.../url`), HTTP APIs (the API Gateway v2
 * API under `/v2/apis`), the front doors that turn requests into events, and
 * InvokeWithResponseStream.
 */
export const httpTriggers: Feature = async (app) => {
  const { scope, clock, log, invoke, registry } = app;
  const urls = new FunctionUrlService(new SqliteFunctionUrlStore(app.db), registry, clock);
  const apis = new HttpApiService(new SqliteHttpApiStore(app.db), scope, clock);
  await urls.load();
  await apis.load();
  registry.onChange((change) => {
    if (change.kind === 'deleted') urls.forgetFunction(change.name);
  });

  const port = () => new URL(app.endpoint()).port;
  addFunctionUrlRoutes(app.lambdaApi.router, {
    urls,
    functionUrl: (urlId) => `http://${functionUrlHost(urlId, scope.region)}:${port()}/`,
    functionArn: (name, qualifier) => registry.arn(name, qualifier),
  });
  addStreamInvokeRoutes(app.lambdaApi.router, { invoke, log });

  const apiGateway = new ApiGatewaySurface(log, app.auth);
  addApisRoutes(apiGateway.router, {
    apis,
    apiEndpoint: (apiId) => `http://${httpApiHost(apiId, scope.region)}:${port()}`,
  });
  app.surfaces.push(
    new FunctionUrlSurface({ urls, invoke, scope, clock, log, auth: app.auth }),
    new HttpApiSurface({ apis, invoke, scope, clock, log }),
    apiGateway,
  );
};
