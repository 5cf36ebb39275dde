import { z } from 'zod';
import type { RestRouter } from '../../gateway/rest-router.js';
import { BUILD_LOG_REQUEST_ID, type FunctionRegistry } from '../../registry/function-registry.js';
import type { LogStore } from '../../store/ports.js';
import type { LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';

export interface BuildRoutesDeps {
  registry: FunctionRegistry;
  logs: LogStore;
  flush: () => Promise<void>;
}

const BuildQuery = z.strictObject({ afterId: z.coerce.number().int().nonnegative().optional() });

/**
 * `GET /nimbus/v1/functions/{name}/build`: the state of the function's latest build (the same
 * fields Lambda reports) and that build's log lines, for `nimbus function deploy` to follow.
 */
export function addBuildRoutes(router: RestRouter<LambdaRoute>, d: BuildRoutesDeps): void {
  router.add('GET', '/nimbus/v1/functions/{FunctionName}/build', {
    operation: 'GetFunctionBuild',
    handler: async (call) => {
      const record = await d.registry.require({ name: call.params.FunctionName ?? '' });
      const q = parseMembers(BuildQuery, Object.fromEntries(call.x.query));
      await d.flush();
      const events = await d.logs.query({
        functionName: record.name,
        requestId: BUILD_LOG_REQUEST_ID,
        limit: 10_000,
        ...(q.afterId === undefined ? {} : { afterId: q.afterId }),
      });
      // Only the latest build's stream: later builds start new streams.
      const stream = events.at(-1)?.logStream;
      const latest = events.filter((e) => e.logStream === stream);
      const v = record.latest;
      return {
        status: 200,
        json: {
          functionName: record.name,
          state: v.state,
          ...(v.stateReason ? { stateReason: v.stateReason } : {}),
          lastUpdateStatus: v.lastUpdateStatus,
          ...(v.lastUpdateStatusReason ? { lastUpdateStatusReason: v.lastUpdateStatusReason } : {}),
          building: v.pendingCode !== undefined,
          log: latest.map((e) => ({ id: e.id, timestamp: e.timestamp, message: e.message })),
          nextAfterId: events.at(-1)?.id ?? q.afterId ?? 0,
        },
      };
    },
  });
}
