import type {
  CorsPolicy,
  HttpApiRecord,
  HttpIntegrationRecord,
  HttpRouteRecord,
  HttpStageRecord,
} from '../../domain/http-triggers.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { HttpApiService } from '../../triggers/http/http-apis.js';
import { parseMembers } from '../lambda/validation.js';
import { type ApiGatewayCall, type ApiGatewayRoute, apiBody } from './apigw-surface.js';
import {
  CreateApiRequest,
  CreateRouteRequest,
  CreateStageRequest,
  IntegrationRequest,
  ListQuery,
  UpdateApiRequest,
  UpdateRouteRequest,
  UpdateStageRequest,
} from './schemas.js';

export interface ApisRoutesDeps {
  apis: HttpApiService;
  /** `http://<api-id>.execute-api.<region>.localhost:<port>` */
  apiEndpoint: (apiId: string) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * CreateApi/GetApi(s)/UpdateApi/DeleteApi and the same for routes, integrations and stages, at
 * API Gateway v2's paths with its members (what `@aws-sdk/client-apigatewayv2`, the AWS CLI,
 * SAM and Terraform send and read).
 */
export function addApisRoutes(router: RestRouter<ApiGatewayRoute>, d: ApisRoutesDeps): void {
  const { apis } = d;
  const apiView = (a: HttpApiRecord) => ({
    apiEndpoint: d.apiEndpoint(a.apiId),
    apiId: a.apiId,
    apiKeySelectionExpression: a.apiKeySelectionExpression,
    ...(a.cors ? { corsConfiguration: a.cors } : {}),
    createdDate: iso(a.createdDate),
    ...(a.description !== undefined ? { description: a.description } : {}),
    disableExecuteApiEndpoint: a.disableExecuteApiEndpoint,
    name: a.name,
    protocolType: a.protocolType,
    routeSelectionExpression: a.routeSelectionExpression,
    tags: a.tags,
    ...(a.version !== undefined ? { version: a.version } : {}),
  });
  const add = (method: string, path: string, operation: string, handler: ApiGatewayRoute['handler']) =>
    router.add(method, path, { operation, handler });
  const A = '/v2/apis';

  add('POST', A, 'CreateApi', async (call) => {
    const b = apiBody(call, CreateApiRequest);
    const api = await apis.createApi({
      name: b.name,
      protocolType: b.protocolType,
      ...(b.description !== undefined ? { description: b.description } : {}),
      ...(b.corsConfiguration ? { cors: b.corsConfiguration as CorsPolicy } : {}),
      ...(b.version !== undefined ? { version: b.version } : {}),
      ...(b.disableExecuteApiEndpoint !== undefined
        ? { disableExecuteApiEndpoint: b.disableExecuteApiEndpoint }
        : {}),
      ...(b.tags ? { tags: b.tags } : {}),
      ...(b.target !== undefined ? { target: b.target } : {}),
      ...(b.routeKey !== undefined ? { routeKey: b.routeKey } : {}),
    });
    return { status: 201, json: apiView(api) };
  });
  add('GET', A, 'GetApis', async (call) => ({
    status: 200,
    json: page(apis.listApis(), call, (a) => a.apiId, apiView),
  }));
  add('GET', `${A}/{ApiId}`, 'GetApi', async (call) => ({
    status: 200,
    json: apiView(apis.getApi(id(call))),
  }));
  add('PATCH', `${A}/{ApiId}`, 'UpdateApi', async (call) => {
    const b = apiBody(call, UpdateApiRequest);
    const { corsConfiguration, ...rest } = b;
    const api = await apis.updateApi(id(call), {
      ...rest,
      ...(corsConfiguration ? { cors: corsConfiguration as CorsPolicy } : {}),
    });
    return { status: 200, json: apiView(api) };
  });
  add('DELETE', `${A}/{ApiId}`, 'DeleteApi', async (call) => {
    await apis.deleteApi(id(call));
    return { status: 204 };
  });

  const R = `${A}/{ApiId}/routes`;
  add('POST', R, 'CreateRoute', async (call) => {
    const b = apiBody(call, CreateRouteRequest);
    const route = await apis.createRoute(id(call), {
      routeKey: b.routeKey,
      ...(b.target !== undefined ? { target: b.target } : {}),
    });
    return { status: 201, json: routeView(route) };
  });
  add('GET', R, 'GetRoutes', async (call) => ({
    status: 200,
    json: page(apis.listRoutes(id(call)), call, (r) => r.routeId, routeView),
  }));
  add('GET', `${R}/{RouteId}`, 'GetRoute', async (call) => ({
    status: 200,
    json: routeView(apis.getRoute(id(call), call.params.RouteId!)),
  }));
  add('PATCH', `${R}/{RouteId}`, 'UpdateRoute', async (call) => {
    const b = apiBody(call, UpdateRouteRequest);
    const route = await apis.updateRoute(id(call), call.params.RouteId!, {
      ...(b.routeKey !== undefined ? { routeKey: b.routeKey } : {}),
      ...(b.target !== undefined ? { target: b.target } : {}),
    });
    return { status: 200, json: routeView(route) };
  });
  add('DELETE', `${R}/{RouteId}`, 'DeleteRoute', async (call) => {
    await apis.deleteRoute(id(call), call.params.RouteId!);
    return { status: 204 };
  });

  const I = `${A}/{ApiId}/integrations`;
  add('POST', I, 'CreateIntegration', async (call) => {
    const integration = await apis.createIntegration(
      id(call),
      definedOnly(apiBody(call, IntegrationRequest)),
    );
    return { status: 201, json: integrationView(integration) };
  });
  add('GET', I, 'GetIntegrations', async (call) => ({
    status: 200,
    json: page(apis.listIntegrations(id(call)), call, (i) => i.integrationId, integrationView),
  }));
  add('GET', `${I}/{IntegrationId}`, 'GetIntegration', async (call) => ({
    status: 200,
    json: integrationView(apis.getIntegration(id(call), call.params.IntegrationId!)),
  }));
  add('PATCH', `${I}/{IntegrationId}`, 'UpdateIntegration', async (call) => {
    const patch = definedOnly(apiBody(call, IntegrationRequest));
    const integration = await apis.updateIntegration(id(call), call.params.IntegrationId!, patch);
    return { status: 200, json: integrationView(integration) };
  });
  add('DELETE', `${I}/{IntegrationId}`, 'DeleteIntegration', async (call) => {
    await apis.deleteIntegration(id(call), call.params.IntegrationId!);
    return { status: 204 };
  });

  const S = `${A}/{ApiId}/stages`;
  add('POST', S, 'CreateStage', async (call) => {
    const stage = await apis.createStage(id(call), definedOnly(apiBody(call, CreateStageRequest)));
    return { status: 201, json: stageView(stage) };
  });
  add('GET', S, 'GetStages', async (call) => ({
    status: 200,
    json: page(apis.listStages(id(call)), call, (s) => s.stageName, stageView),
  }));
  add('GET', `${S}/{StageName}`, 'GetStage', async (call) => ({
    status: 200,
    json: stageView(apis.getStage(id(call), call.params.StageName!)),
  }));
  add('PATCH', `${S}/{StageName}`, 'UpdateStage', async (call) => {
    const stage = await apis.updateStage(
      id(call),
      call.params.StageName!,
      definedOnly(apiBody(call, UpdateStageRequest)),
    );
    return { status: 200, json: stageView(stage) };
  });
  add('DELETE', `${S}/{StageName}`, 'DeleteStage', async (call) => {
    await apis.deleteStage(id(call), call.params.StageName!);
    return { status: 204 };
  });
}

const id = (call: ApiGatewayCall) => call.params.ApiId!;

function routeView(r: HttpRouteRecord) {
  return {
    apiKeyRequired: false,
    authorizationType: r.authorizationType,
    routeId: r.routeId,
    routeKey: r.routeKey,
    ...(r.target !== undefined ? { target: r.target } : {}),
  };
}

function integrationView(i: HttpIntegrationRecord) {
  return {
    connectionType: 'INTERNET',
    ...(i.description !== undefined ? { description: i.description } : {}),
    integrationId: i.integrationId,
    integrationMethod: i.integrationMethod ?? 'POST',
    integrationType: i.integrationType,
    integrationUri: i.integrationUri,
    payloadFormatVersion: i.payloadFormatVersion,
    timeoutInMillis: i.timeoutInMillis,
  };
}

function stageView(s: HttpStageRecord) {
  return {
    autoDeploy: s.autoDeploy,
    createdDate: iso(s.createdDate),
    defaultRouteSettings: { detailedMetricsEnabled: false },
    ...(s.description !== undefined ? { description: s.description } : {}),
    lastUpdatedDate: iso(s.lastUpdatedDate),
    routeSettings: {},
    stageName: s.stageName,
    stageVariables: s.stageVariables,
    tags: s.tags,
  };
}

/** `{items, nextToken}` paging by id: `nextToken` is the last id of the page. */
function page<T, V>(all: T[], call: ApiGatewayCall, key: (t: T) => string, view: (t: T) => V) {
  let q: { maxResults?: number; nextToken?: string };
  try {
    q = parseMembers(ListQuery, Object.fromEntries(call.query));
  } catch {
    q = {};
  }
  const start = q.nextToken === undefined ? 0 : all.findIndex((t) => key(t) === q.nextToken) + 1;
  const size = q.maxResults ?? all.length;
  const items = all.slice(start, start + size);
  const more = start + size < all.length && items.length > 0;
  return { items: items.map(view), ...(more ? { nextToken: key(items[items.length - 1]!) } : {}) };
}

function definedOnly<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
