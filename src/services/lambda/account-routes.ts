import { TOTAL_CODE_SIZE_MAX_BYTES, UNZIPPED_MAX_BYTES, ZIP_MAX_BYTES } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { ConcurrencyLimiter } from '../../invoke/concurrency.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import { functionRef, type LambdaRoute } from './lambda-call.js';

export interface AccountRoutesDeps {
  registry: FunctionRegistry;
  concurrency: ConcurrencyLimiter;
}

/**
 * GetAccountSettings, and the read-only operations deployment tools call while refreshing state
 * (code signing, runtime management, recursion): answered with the defaults a function
 * without those features has, instead of a 404 that would break a `terraform plan`.
 */
export function addAccountRoutes(router: RestRouter<LambdaRoute>, d: AccountRoutesDeps): void {
  router.add('GET', '/2016-08-19/account-settings', {
    operation: 'GetAccountSettings',
    handler: async () => {
      const usage = await d.registry.accountUsage();
      const limit = d.concurrency.accountLimit;
      return {
        status: 200,
        json: {
          AccountLimit: {
            TotalCodeSize: TOTAL_CODE_SIZE_MAX_BYTES,
            CodeSizeUnzipped: UNZIPPED_MAX_BYTES,
            CodeSizeZipped: ZIP_MAX_BYTES,
            ConcurrentExecutions: limit,
            UnreservedConcurrentExecutions: d.concurrency.unreservedLimit,
          },
          AccountUsage: { TotalCodeSize: usage.totalCodeSize, FunctionCount: usage.functionCount },
        },
      };
    },
  });

  router.add('GET', '/2020-06-30/functions/{FunctionName}/code-signing-config', {
    operation: 'GetFunctionCodeSigningConfig',
    handler: async (call) => {
      const { record } = await d.registry.requireVersion(functionRef(call, {}));
      return { status: 200, json: { FunctionName: record.name, CodeSigningConfigArn: '' } };
    },
  });

  router.add('GET', '/2021-07-20/functions/{FunctionName}/runtime-management-config', {
    operation: 'GetRuntimeManagementConfig',
    handler: async (call) => {
      const ref = functionRef(call);
      const { record } = await d.registry.requireVersion(ref);
      return {
        status: 200,
        json: { UpdateRuntimeOn: 'Auto', FunctionArn: d.registry.arn(record.name, ref.qualifier) },
      };
    },
  });

  router.add('GET', '/2024-08-31/functions/{FunctionName}/recursion-config', {
    operation: 'GetFunctionRecursionConfig',
    handler: async (call) => {
      await d.registry.requireVersion(functionRef(call, {}));
      return { status: 200, json: { RecursiveLoop: 'Terminate' } };
    },
  });
}
