import { z } from 'zod';
import type { EventInvokeConfigInput, EventInvokeConfigs } from '../../async/event-invoke-configs.js';
import {
  ASYNC_EVENT_AGE_MAX_SECONDS,
  ASYNC_EVENT_AGE_MIN_SECONDS,
  ASYNC_RETRY_ATTEMPTS_MAX,
  EVENT_INVOKE_CONFIG_LIST_MAX,
  type EventInvokeConfig,
} from '../../domain/async-invoke.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import { functionRef, jsonBody, type LambdaCall, type LambdaRoute } from './lambda-call.js';
import { decodeMarker, encodeMarker } from './list-markers.js';
import { parseMembers } from './validation.js';

const Destination = z.strictObject({ Destination: z.string().max(350).optional() });

/** The body of Put/UpdateFunctionEventInvokeConfig, with the service model's constraints. */
const EventInvokeConfigRequest = z.strictObject({
  MaximumRetryAttempts: z.number().int().min(0).max(ASYNC_RETRY_ATTEMPTS_MAX).optional(),
  MaximumEventAgeInSeconds: z
    .number()
    .int()
    .min(ASYNC_EVENT_AGE_MIN_SECONDS)
    .max(ASYNC_EVENT_AGE_MAX_SECONDS)
    .optional(),
  DestinationConfig: z
    .strictObject({ OnSuccess: Destination.optional(), OnFailure: Destination.optional() })
    .optional(),
});

const ListMaxItems = z.coerce.number().int().min(1).max(EVENT_INVOKE_CONFIG_LIST_MAX);

export interface EventInvokeConfigRoutesDeps {
  configs: EventInvokeConfigs;
  registry: FunctionRegistry;
}

const PATH = '/2019-09-25/functions/{FunctionName}/event-invoke-config';

/**
 * Put (PUT, replaces), Update (POST, merges), Get, Delete and List of FunctionEventInvokeConfig.
 * `LastModified` is epoch seconds as a JSON number here (a `timestamp` shape), unlike
 * FunctionConfiguration's string.
 */
export function addEventInvokeConfigRoutes(
  router: RestRouter<LambdaRoute>,
  d: EventInvokeConfigRoutesDeps,
): void {
  const render = (c: EventInvokeConfig) => renderEventInvokeConfig(d.registry, c);

  router.add('PUT', PATH, {
    operation: 'PutFunctionEventInvokeConfig',
    handler: async (call) => ({
      status: 200,
      json: render(await d.configs.put(functionRef(call), input(call))),
    }),
  });

  router.add('POST', PATH, {
    operation: 'UpdateFunctionEventInvokeConfig',
    handler: async (call) => ({
      status: 200,
      json: render(await d.configs.update(functionRef(call), input(call))),
    }),
  });

  router.add('GET', PATH, {
    operation: 'GetFunctionEventInvokeConfig',
    handler: async (call) => ({ status: 200, json: render(await d.configs.get(functionRef(call))) }),
  });

  router.add('DELETE', PATH, {
    operation: 'DeleteFunctionEventInvokeConfig',
    handler: async (call) => {
      await d.configs.delete(functionRef(call));
      return { status: 204 };
    },
  });

  router.add('GET', `${PATH}/list`, {
    operation: 'ListFunctionEventInvokeConfigs',
    handler: async (call) => {
      const maxItems = call.x.query.has('MaxItems')
        ? parseMembers(ListMaxItems, call.x.query.get('MaxItems'))
        : EVENT_INVOKE_CONFIG_LIST_MAX;
      const marker = call.x.query.get('Marker');
      const page = await d.configs.list(
        functionRef(call, {}),
        marker ? decodeMarker(marker) : undefined,
        maxItems + 1,
      );
      const items = page.slice(0, maxItems);
      const more = page.length > maxItems;
      return {
        status: 200,
        json: {
          FunctionEventInvokeConfigs: items.map(render),
          ...(more ? { NextMarker: encodeMarker(items[items.length - 1]!.qualifier) } : {}),
        },
      };
    },
  });
}

export function renderEventInvokeConfig(
  registry: FunctionRegistry,
  c: EventInvokeConfig,
): Record<string, unknown> {
  return {
    LastModified: c.lastModified / 1000,
    FunctionArn: registry.arn(c.functionName, c.qualifier),
    ...(c.maximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: c.maximumRetryAttempts }),
    ...(c.maximumEventAgeInSeconds === undefined
      ? {}
      : { MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds }),
    DestinationConfig: {
      OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {},
      OnFailure: c.onFailure ? { Destination: c.onFailure } : {},
    },
  };
}

function input(call: LambdaCall): EventInvokeConfigInput {
  const r = jsonBody(call, EventInvokeConfigRequest);
  const destination = (x: { Destination?: string | undefined } | undefined) =>
    x === undefined ? undefined : x.Destination === undefined ? {} : { destination: x.Destination };
  const onSuccess = destination(r.DestinationConfig?.OnSuccess);
  const onFailure = destination(r.DestinationConfig?.OnFailure);
  return {
    ...(r.MaximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: r.MaximumRetryAttempts }),
    ...(r.MaximumEventAgeInSeconds === undefined
      ? {}
      : { maximumEventAgeInSeconds: r.MaximumEventAgeInSeconds }),
    ...(r.DestinationConfig === undefined
      ? {}
      : {
          destinationConfig: {
            ...(onSuccess ? { onSuccess } : {}),
            ...(onFailure ? { onFailure } : {}),
          },
        }),
  };
}
