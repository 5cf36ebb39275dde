import type { EventInvoker } from '../../async/ports.js';
import { INVOKE_ASYNC_PAYLOAD_MAX_BYTES } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import { asyncPayload } from './invoke-routes.js';
import { functionRef, type LambdaRoute } from './lambda-call.js';

/**
 * The deprecated InvokeAsync (`POST /2014-11-13/functions/{FunctionName}/invoke-async/`): the body
 * is the event, 256 KB at most (its historical limit), answered `202 {"Status":202}` once queued.
 */
export function addInvokeAsyncRoutes(router: RestRouter<LambdaRoute>, d: { events: EventInvoker }): void {
  router.add('POST', '/2014-11-13/functions/{FunctionName}/invoke-async', {
    operation: 'InvokeAsync',
    maxBodyBytes: INVOKE_ASYNC_PAYLOAD_MAX_BYTES,
    handler: async (call) => {
      const payload = asyncPayload(call.body, 'InvokeAsync', INVOKE_ASYNC_PAYLOAD_MAX_BYTES);
      await d.events.invokeAsync({ ref: functionRef(call, {}), payload, requestId: call.x.requestId });
      return { status: 202, json: { Status: 202 } };
    },
  });
}
