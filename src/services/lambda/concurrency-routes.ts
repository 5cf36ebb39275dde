import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { ConcurrencyConfig, ProvisionedConcurrencyView } from '../../invoke/concurrency-config.js';
import { functionRef, jsonBody, type LambdaCall, type LambdaRoute } from './lambda-call.js';
import { parseMembers } from './validation.js';

export interface ConcurrencyRoutesDeps {
  concurrency: ConcurrencyConfig;
}

const PutFunctionConcurrencyRequest = z.strictObject({
  ReservedConcurrentExecutions: z.number().int().min(0),
});
const PutProvisionedConcurrencyConfigRequest = z.strictObject({
  ProvisionedConcurrentExecutions: z.number().int().min(1),
});
const Qualifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^(|[a-zA-Z0-9$_-]+)$/);

/**
 * Reserved concurrency (Put/Get/DeleteFunctionConcurrency, on two date prefixes as AWS has them)
 * and provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfig(s)).
 */
export function addConcurrencyRoutes(router: RestRouter<LambdaRoute>, d: ConcurrencyRoutesDeps): void {
  router.add('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', {
    operation: 'PutFunctionConcurrency',
    handler: async (call) => {
      const r = jsonBody(call, PutFunctionConcurrencyRequest);
      const reserved = await d.concurrency.putReserved(functionRef(call, {}), r.ReservedConcurrentExecutions);
      return { status: 200, json: { ReservedConcurrentExecutions: reserved } };
    },
  });

  router.add('GET', '/2019-09-30/functions/{FunctionName}/concurrency', {
    operation: 'GetFunctionConcurrency',
    handler: async (call) => {
      const reserved = await d.concurrency.getReserved(functionRef(call, {}));
      return { status: 200, json: reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved } };
    },
  });

  router.add('DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', {
    operation: 'DeleteFunctionConcurrency',
    handler: async (call) => {
      await d.concurrency.deleteReserved(functionRef(call, {}));
      return { status: 204 };
    },
  });

  const path = '/2019-09-30/functions/{FunctionName}/provisioned-concurrency';

  router.add('PUT', path, {
    operation: 'PutProvisionedConcurrencyConfig',
    handler: async (call) => {
      const qualifier = requiredQualifier(call);
      const r = jsonBody(call, PutProvisionedConcurrencyConfigRequest);
      const view = await d.concurrency.putProvisioned(
        functionRef(call, {}),
        qualifier,
        r.ProvisionedConcurrentExecutions,
      );
      return { status: 202, json: render(view) };
    },
  });

  router.add('GET', path, {
    operation: 'GetProvisionedConcurrencyConfig',
    handler: async (call) => {
      if (call.x.query.get('List') === 'ALL') {
        const views = await d.concurrency.listProvisioned(functionRef(call, {}));
        return {
          status: 200,
          json: {
            ProvisionedConcurrencyConfigs: views.map((v) => ({ FunctionArn: v.functionArn, ...render(v) })),
          },
        };
      }
      const view = await d.concurrency.getProvisioned(functionRef(call, {}), requiredQualifier(call));
      return { status: 200, json: render(view) };
    },
  });

  router.add('DELETE', path, {
    operation: 'DeleteProvisionedConcurrencyConfig',
    handler: async (call) => {
      await d.concurrency.deleteProvisioned(functionRef(call, {}), requiredQualifier(call));
      return { status: 204 };
    },
  });
}

function requiredQualifier(call: LambdaCall): string {
  const raw = call.x.query.get('Qualifier');
  if (raw === null) {
    throw validationError([{ member: 'qualifier', value: null, constraint: 'Member must not be null' }]);
  }
  return parseMembers(z.strictObject({ Qualifier }), { Qualifier: raw }).Qualifier;
}

function render(v: ProvisionedConcurrencyView): Record<string, unknown> {
  return {
    RequestedProvisionedConcurrentExecutions: v.requested,
    AvailableProvisionedConcurrentExecutions: v.available,
    AllocatedProvisionedConcurrentExecutions: v.allocated,
    Status: v.status,
    ...(v.statusReason ? { StatusReason: v.statusReason } : {}),
    LastModified: v.lastModified,
  };
}
