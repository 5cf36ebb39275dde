import { z } from 'zod';
import { invalidParameter, notFound } from '../../domain/errors.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import type { TestEventStore } from '../../store/ports.js';
import { jsonBody, type LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';

/** As the Lambda console allows: 10 saved events per function, names of 25 characters. */
export const TEST_EVENTS_MAX = 10;
export const TEST_EVENT_MAX_BYTES = 262_144;
const EVENT_NAME = /^[A-Za-z0-9._-]+$/;

const EventName = z.strictObject({ name: z.string().min(1).max(25).regex(EVENT_NAME) });
const PutTestEvent = z.strictObject({ event: z.string().max(TEST_EVENT_MAX_BYTES) });

export interface TestEventRoutesDeps {
  registry: FunctionRegistry;
  testEvents: TestEventStore;
  now: () => number;
}

/**
 * Test events saved per function (the console's test panel), under
 * `/nimbus/v1/functions/{name}/test-events[/{event}]`. The event is kept as the JSON text the user
 * wrote; it must parse as JSON, since Invoke requires it.
 */
export function addTestEventRoutes(router: RestRouter<LambdaRoute>, d: TestEventRoutesDeps): void {
  const requireFunction = async (name: string | undefined) => {
    const record = await d.registry.get(name ?? '');
    if (!record) throw notFound(`Function not found: ${d.registry.arn(name ?? '')}`);
    return record;
  };
  const eventName = (raw: string | undefined) => parseMembers(EventName, { name: raw ?? '' }).name;

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/test-events', {
    operation: 'ListTestEvents',
    handler: async (call) => {
      const fn = await requireFunction(call.params.FunctionName);
      return { status: 200, json: { testEvents: await d.testEvents.list(fn.name) } };
    },
  });

  router.add('PUT', '/nimbus/v1/functions/{FunctionName}/test-events/{EventName}', {
    operation: 'PutTestEvent',
    maxBodyBytes: TEST_EVENT_MAX_BYTES * 2,
    handler: async (call) => {
      const fn = await requireFunction(call.params.FunctionName);
      const name = eventName(call.params.EventName);
      const { event } = jsonBody(call, PutTestEvent);
      try {
        JSON.parse(event);
      } catch (e) {
        throw invalidParameter(`The test event is not valid JSON: ${(e as Error).message}`);
      }
      const existing = await d.testEvents.list(fn.name);
      if (existing.length >= TEST_EVENTS_MAX && !existing.some((x) => x.name === name)) {
        throw invalidParameter(
          `A function can have at most ${TEST_EVENTS_MAX} saved test events. Delete one to save another.`,
        );
      }
      const saved = { name, event, updatedAt: d.now() };
      if (!(await d.testEvents.put(fn.name, saved))) {
        throw notFound(`Function not found: ${d.registry.arn(fn.name)}`);
      }
      return { status: 200, json: saved };
    },
  });

  router.add('DELETE', '/nimbus/v1/functions/{FunctionName}/test-events/{EventName}', {
    operation: 'DeleteTestEvent',
    handler: async (call) => {
      const fn = await requireFunction(call.params.FunctionName);
      const name = eventName(call.params.EventName);
      if (!(await d.testEvents.delete(fn.name, name))) {
        throw notFound(`Test event not found: ${name}`);
      }
      return { status: 204 };
    },
  });
}
