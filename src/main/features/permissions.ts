import { FunctionPolicies } from '../../registry/function-policies.js';
import { addPolicyRoutes } from '../../services/lambda/policy-routes.js';
import { SqlitePolicyStore } from '../../store/sqlite/policy-store.js';
import type { Feature } from '../app.js';

/**
 * Resource-based policies (AddPermission, GetPolicy, RemovePermission): stored per function,
 * version and alias, and returned as AWS builds them. Not enforced: Nimbus does not evaluate IAM.
 */
export const permissions: Feature = (app) => {
  const policies = new FunctionPolicies(app.registry, new SqlitePolicyStore(app.db));
  addPolicyRoutes(app.lambdaApi.router, { policies });
  app.registry.onChange((change) => {
    policies
      .functionChanged(change)
      .catch((err: unknown) =>
        app.log.warn({ err, function: change.name }, 'dropping a removed policy failed'),
      );
  });
};
