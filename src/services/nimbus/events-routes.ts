import { z } from 'zod';
import type { EventQueue } from '../../async/event-queue.js';
import { ASYNC_EVENT_STATES, type AsyncEventState } from '../../domain/async-invoke.js';
import { invalidParameter, notFound } from '../../domain/errors.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import type { AsyncEvent, AsyncEventSummary } from '../../store/ports.js';
import { jsonBody, type LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';

export interface EventsRoutesDeps {
  registry: FunctionRegistry;
  queue: EventQueue;
}

const ListQuery = z.strictObject({
  /** Comma-separated states; all of them when absent. */
  state: z
    .string()
    .regex(new RegExp(`^(${ASYNC_EVENT_STATES.join('|')})(,(${ASYNC_EVENT_STATES.join('|')}))*$`))
    .optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const ReplayRequest = z.strictObject({
  requestIds: z.array(z.string().min(1).max(64)).min(1).max(1000).optional(),
  allFailed: z.boolean().optional(),
});

/**
 * Beyond AWS: the asynchronous events of a function (`/nimbus/v1/functions/{name}/events`), listed
 * by state with their attempts and last error, one by one with payload and last response, and
 * failed ones put back in the queue (`.../events/replay`).
 */
export function addEventsRoutes(router: RestRouter<LambdaRoute>, d: EventsRoutesDeps): void {
  const requireFunction = async (name: string | undefined) => {
    const record = await d.registry.get(name ?? '');
    if (!record) throw notFound(`Function not found: ${d.registry.arn(name ?? '')}`);
    return record;
  };

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/events', {
    operation: 'ListAsyncEvents',
    handler: async (call) => {
      const record = await requireFunction(call.params.FunctionName);
      const q = parseMembers(ListQuery, Object.fromEntries(call.x.query));
      const limit = q.limit ?? 100;
      const states = q.state?.split(',') as AsyncEventState[] | undefined;
      const events = await d.queue.list(record.name, {
        limit: limit + 1,
        ...(states ? { states } : {}),
        ...(q.after === undefined ? {} : { afterSeq: q.after }),
      });
      const page = events.slice(0, limit);
      return {
        status: 200,
        json: {
          events: page.map(renderSummary),
          counts: await d.queue.counts(record.name),
          ...(events.length > limit ? { nextAfter: page[page.length - 1]!.seq } : {}),
        },
      };
    },
  });

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/events/{RequestId}', {
    operation: 'GetAsyncEvent',
    handler: async (call) => {
      const record = await requireFunction(call.params.FunctionName);
      const event = await d.queue.get(record.name, call.params.RequestId ?? '');
      if (!event) throw notFound(`No asynchronous event ${call.params.RequestId} for ${record.name}.`);
      return { status: 200, json: renderEvent(event) };
    },
  });

  router.add('POST', '/nimbus/v1/functions/{FunctionName}/events/replay', {
    operation: 'ReplayAsyncEvents',
    handler: async (call) => {
      const record = await requireFunction(call.params.FunctionName);
      const r = jsonBody(call, ReplayRequest);
      if ((r.requestIds === undefined) === (r.allFailed !== true)) {
        throw invalidParameter('Give either requestIds (failed events to replay) or allFailed: true.');
      }
      const replayed = await d.queue.replay(record.name, r.requestIds);
      const done = new Set(replayed);
      return {
        status: 200,
        json: { replayed, notReplayed: (r.requestIds ?? []).filter((id) => !done.has(id)) },
      };
    },
  });
}

function renderSummary(e: AsyncEventSummary): Record<string, unknown> {
  const waiting = e.state === 'queued' || e.state === 'retrying';
  const ended = e.state === 'failed' || e.state === 'succeeded';
  return {
    requestId: e.requestId,
    state: e.state,
    attempts: e.attempts,
    backoffs: e.backoffs,
    enqueuedAt: e.enqueuedAt,
    ...(waiting ? { nextAttemptAt: e.dueAt } : {}),
    ...(ended ? { endedAt: e.dueAt } : {}),
    updatedAt: e.updatedAt,
    ...(e.qualifier ? { qualifier: e.qualifier } : {}),
    ...(e.condition ? { condition: e.condition } : {}),
    ...(e.lastError ? { lastError: e.lastError } : {}),
    payloadBytes: e.payloadBytes,
    seq: e.seq,
  };
}

function renderEvent(e: AsyncEvent): Record<string, unknown> {
  return {
    ...renderSummary(e),
    ...(e.traceId ? { traceId: e.traceId } : {}),
    payload: e.payload.toString('utf8'),
    ...(e.lastResponse
      ? {
          lastResponse: {
            statusCode: e.lastResponse.statusCode,
            ...(e.lastResponse.functionError ? { functionError: e.lastResponse.functionError } : {}),
            ...(e.lastResponse.payload ? { payload: e.lastResponse.payload.toString('utf8') } : {}),
          },
        }
      : {}),
  };
}
