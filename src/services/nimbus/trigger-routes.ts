import { z } from 'zod';
import type { AccountScope } from '../../domain/arn.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { EventSourceMappingService } from '../../triggers/esm/mapping-service.js';
import { renderMapping } from '../lambda/event-source-mapping-routes.js';
import type { LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';

const TriggersQuery = z.strictObject({ FunctionName: z.string().min(1).max(140).optional() });

/**
 * `GET /nimbus/v1/event-source-mappings?FunctionName=`: every mapping with what its running
 * source reports (lag, last error, last batch), for `nimbus trigger list`. AWS has no wire
 * format for this view.
 */
export function addTriggerStatusRoutes(
  router: RestRouter<LambdaRoute>,
  d: { mappings: EventSourceMappingService; scope: AccountScope },
): void {
  router.add('GET', '/nimbus/v1/event-source-mappings', {
    operation: 'ListEventSourceMappingStatus',
    handler: async (call) => {
      const q = parseMembers(TriggersQuery, Object.fromEntries(call.x.query));
      const mappings = await d.mappings.list({
        ...(q.FunctionName ? { functionName: q.FunctionName } : {}),
        limit: 10_000,
      });
      const out = [];
      for (const m of mappings) {
        const s = await d.mappings.status(m);
        out.push({
          ...renderMapping(d.scope, m),
          LastProcessingResult: s.lastProcessingResult,
          Status: {
            ...(s.lag !== undefined ? { Lag: s.lag } : {}),
            ...(s.lagCount !== undefined ? { LagCount: s.lagCount } : {}),
            ...(s.lastError ? { LastError: s.lastError.message, LastErrorAt: s.lastError.at / 1000 } : {}),
            ...(s.lastBatchAt !== undefined ? { LastBatchAt: s.lastBatchAt / 1000 } : {}),
          },
        });
      }
      return { status: 200, json: { EventSourceMappings: out } };
    },
  });
}
