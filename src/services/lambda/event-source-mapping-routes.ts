import { type AccountScope, functionArn } from '../../domain/arn.js';
import { invalidParameter, notFound } from '../../domain/errors.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import { type Mapping, mappingArn } from '../../triggers/esm/mapping.js';
import type { MappingInput } from '../../triggers/esm/mapping-input.js';
import type { EventSourceMappingService } from '../../triggers/esm/mapping-service.js';
import {
  CreateEventSourceMappingRequest,
  ListEventSourceMappingsQuery,
  MappingUuid,
  UpdateEventSourceMappingRequest,
} from './event-source-mapping-schemas.js';
import { jsonBody, type LambdaRoute } from './lambda-call.js';
import { parseMembers } from './validation.js';

const BASE = '/2015-03-31/event-source-mappings';
/** ListEventSourceMappings pages hold at most this many. */
const PAGE_MAX = 100;

export interface EventSourceMappingRoutesDeps {
  mappings: EventSourceMappingService;
  scope: AccountScope;
}

/** Create/Get/List/Update/DeleteEventSourceMapping at Lambda's paths (202 for the mutations). */
export function addEventSourceMappingRoutes(
  router: RestRouter<LambdaRoute>,
  d: EventSourceMappingRoutesDeps,
): void {
  const render = (m: Mapping) => renderMapping(d.scope, m);
  const uuidOf = (raw: string | undefined) => {
    const r = MappingUuid.safeParse(raw);
    if (!r.success) throw notFound('The resource you requested does not exist.');
    return r.data;
  };

  router.add('POST', BASE, {
    operation: 'CreateEventSourceMapping',
    handler: async (call) => {
      const r = jsonBody(call, CreateEventSourceMappingRequest);
      unsupported(r);
      const m = await d.mappings.create({ ...toInput(r), functionName: r.FunctionName });
      return { status: 202, json: render(m) };
    },
  });

  router.add('GET', BASE, {
    operation: 'ListEventSourceMappings',
    handler: async (call) => {
      const q = parseMembers(ListEventSourceMappingsQuery, Object.fromEntries(call.x.query));
      const limit = Math.min(q.MaxItems ?? PAGE_MAX, PAGE_MAX);
      const page = await d.mappings.list({
        ...(q.FunctionName ? { functionName: q.FunctionName } : {}),
        ...(q.EventSourceArn ? { eventSourceArn: q.EventSourceArn } : {}),
        ...(q.Marker ? { afterUuid: q.Marker } : {}),
        limit: limit + 1,
      });
      const items = page.slice(0, limit);
      return {
        status: 200,
        json: {
          EventSourceMappings: items.map(render),
          ...(page.length > limit ? { NextMarker: items[items.length - 1]!.uuid } : {}),
        },
      };
    },
  });

  router.add('GET', `${BASE}/{UUID}`, {
    operation: 'GetEventSourceMapping',
    handler: async (call) => {
      const m = await d.mappings.get(uuidOf(call.params.UUID));
      const status = await d.mappings.status(m);
      return { status: 200, json: { ...render(m), LastProcessingResult: status.lastProcessingResult } };
    },
  });

  router.add('PUT', `${BASE}/{UUID}`, {
    operation: 'UpdateEventSourceMapping',
    handler: async (call) => {
      const r = jsonBody(call, UpdateEventSourceMappingRequest);
      unsupported(r);
      const input: MappingInput = toInput(r);
      if (r.FunctionName !== undefined) input.functionName = r.FunctionName;
      const m = await d.mappings.update(uuidOf(call.params.UUID), input);
      return { status: 202, json: render(m) };
    },
  });

  router.add('DELETE', `${BASE}/{UUID}`, {
    operation: 'DeleteEventSourceMapping',
    handler: async (call) => {
      const m = await d.mappings.delete(uuidOf(call.params.UUID));
      return { status: 202, json: render(m) };
    },
  });
}

function unsupported(r: UpdateEventSourceMappingRequest): void {
  if (r.ParallelizationFactor !== undefined && r.ParallelizationFactor !== 1) {
    throw invalidParameter('Nimbus reads each source with ParallelizationFactor 1.');
  }
  if (r.TumblingWindowInSeconds) throw invalidParameter('Tumbling windows are not supported by Nimbus.');
  if (r.DestinationConfig?.OnSuccess?.Destination) {
    throw invalidParameter(
      'Unsupported DestinationConfig parameter for given event source mapping type: OnSuccess.',
    );
  }
}

function toInput(r: CreateEventSourceMappingRequest | UpdateEventSourceMappingRequest): MappingInput {
  const c = r as Partial<CreateEventSourceMappingRequest>;
  const input: MappingInput = {};
  if (c.EventSourceArn !== undefined) input.eventSourceArn = c.EventSourceArn;
  if (c.SelfManagedEventSource?.Endpoints) input.endpoints = c.SelfManagedEventSource.Endpoints;
  if (r.Enabled !== undefined) input.enabled = r.Enabled;
  if (r.BatchSize !== undefined) input.batchSize = r.BatchSize;
  if (r.MaximumBatchingWindowInSeconds !== undefined)
    input.maximumBatchingWindowInSeconds = r.MaximumBatchingWindowInSeconds;
  if (r.FunctionResponseTypes !== undefined) input.functionResponseTypes = r.FunctionResponseTypes;
  if (r.FilterCriteria !== undefined) {
    input.filters = (r.FilterCriteria.Filters ?? []).map((f) => f.Pattern ?? '{}');
  }
  if (r.ScalingConfig !== undefined) input.maximumConcurrency = r.ScalingConfig.MaximumConcurrency ?? null;
  if (c.StartingPosition !== undefined) input.startingPosition = c.StartingPosition;
  if (c.StartingPositionTimestamp !== undefined)
    input.startingPositionTimestamp = c.StartingPositionTimestamp;
  if (r.BisectBatchOnFunctionError !== undefined)
    input.bisectBatchOnFunctionError = r.BisectBatchOnFunctionError;
  if (r.MaximumRetryAttempts !== undefined) input.maximumRetryAttempts = r.MaximumRetryAttempts;
  if (r.MaximumRecordAgeInSeconds !== undefined)
    input.maximumRecordAgeInSeconds = r.MaximumRecordAgeInSeconds;
  if (r.DestinationConfig !== undefined)
    input.onFailureDestination = r.DestinationConfig.OnFailure?.Destination || null;
  return input;
}

/** EventSourceMappingConfiguration as Lambda returns it (`LastModified` in epoch seconds). */
export function renderMapping(scope: AccountScope, m: Mapping): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: functionArn(scope, m.functionName, m.qualifier),
    LastModified: m.lastModified / 1000,
    State: m.state,
    StateTransitionReason: m.stateTransitionReason,
    FunctionResponseTypes: m.functionResponseTypes,
    EventSourceMappingArn: mappingArn(scope.region, scope.accountId, m.uuid),
  };
  if (m.filters) out.FilterCriteria = { Filters: m.filters.map((Pattern) => ({ Pattern })) };
  if (m.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: m.maximumConcurrency };
  if (m.kind === 'postgres') {
    out.StartingPosition = m.startingPosition;
    out.ParallelizationFactor = 1;
    out.BisectBatchOnFunctionError = m.bisectBatchOnFunctionError ?? false;
    out.MaximumRetryAttempts = m.maximumRetryAttempts ?? -1;
    out.MaximumRecordAgeInSeconds = m.maximumRecordAgeInSeconds ?? -1;
    out.TumblingWindowInSeconds = 0;
    out.DestinationConfig = {
      OnFailure: m.onFailureDestination ? { Destination: m.onFailureDestination } : {},
    };
    out.LastProcessingResult = m.lastProcessingResult ?? 'No records processed';
    if (m.sourceUrl)
      out.SelfManagedEventSource = { Endpoints: { POSTGRES_URL: [redactPassword(m.sourceUrl)] } };
  }
  return out;
}

/** `postgres://user:secret@host/db` → `postgres://user:****@host/db`. */
export function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':****@');
  }
}
