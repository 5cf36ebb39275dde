import { addAccountRoutes } from '../../services/lambda/account-routes.js';
import { addFunctionRoutes } from '../../services/lambda/functions-routes.js';
import { addInvokeRoutes } from '../../services/lambda/invoke-routes.js';
import { addTagRoutes } from '../../services/lambda/tags-routes.js';
import type { Feature } from '../app.js';

/** Functions, Invoke, tags and account settings on the Lambda API. */
export const lambdaCore: Feature = (app) => {
  const { registry, scope, codeLinks, invoke, concurrency } = app;
  addFunctionRoutes(app.lambdaApi.router, {
    registry,
    codeLinks,
    scope,
    readObject: () => app.readObject,
    reservedConcurrency: (name) => concurrency.reservedFor(name),
    // Read per request: the async feature (installed later) owns the destinations.
    checkDeadLetterTarget: async (arn) => app.destinations?.validateDeadLetter(arn),
  });
  addInvokeRoutes(app.lambdaApi.router, { invoke, events: () => app.eventInvoker });
  addTagRoutes(app.lambdaApi.router, { registry, scope });
  addAccountRoutes(app.lambdaApi.router, { registry, concurrency });
};
