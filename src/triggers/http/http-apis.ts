import { apiConflict, apiNotFound, badRequest } from '../../domain/apigateway-errors.js';
import type { AccountScope, FunctionRef } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import type {
  CorsPolicy,
  HttpApiRecord,
  HttpApiSnapshot,
  HttpIntegrationRecord,
  HttpRouteRecord,
  HttpStageRecord,
} from '../../domain/http-triggers.js';
import type { HttpApiStore } from '../../store/ports.js';
import {
  checkCors,
  checkRouteKey,
  checkStageVariables,
  definedOnly,
  functionOfIntegration,
  type IntegrationInput,
  integrationRecord,
  mergeVariables,
} from './http-api-rules.js';
import { randomId } from './ids.js';
import { DEFAULT_ROUTE, parseRouteKey, type RouteMatch, RouteTable } from './route-key.js';

export const DEFAULT_STAGE = '$default';
const API_ID_LENGTH = 10;
const CHILD_ID_LENGTH = 7;
const STAGE_NAME = /^(\$default|[a-zA-Z0-9_-]{1,128})$/;
const TARGET = /^integrations\/([a-z0-9]+)$/;

export interface CreateApiInput {
  name: string;
  protocolType: string;
  description?: string;
  cors?: CorsPolicy;
  version?: string;
  disableExecuteApiEndpoint?: boolean;
  tags?: Record<string, string>;
  /** Quick create: a Lambda ARN that becomes the integration of `routeKey` in a `$default` stage. */
  target?: string;
  routeKey?: string;
}

export type { IntegrationInput };

export interface StageInput {
  stageName?: string;
  autoDeploy?: boolean;
  description?: string;
  stageVariables?: Record<string, string>;
  tags?: Record<string, string>;
}

interface ApiState {
  api: HttpApiRecord;
  routes: Map<string, HttpRouteRecord>;
  integrations: Map<string, HttpIntegrationRecord>;
  stages: Map<string, HttpStageRecord>;
  /** Rebuilt on every route change; what requests are matched against. */
  table: RouteTable<HttpRouteRecord>;
}

/** Where a request to an API goes: its stage, the matched route and the function behind it. */
export interface ResolvedRequest {
  api: HttpApiRecord;
  stage: HttpStageRecord;
  /** The path below the stage (what routes match). */
  path: string;
  match: RouteMatch<HttpRouteRecord>;
  integration?: HttpIntegrationRecord;
  functionRef?: FunctionRef;
}

/**
 * HTTP APIs in API Gateway v2's model: APIs hold routes, integrations (AWS_PROXY to Lambda) and
 * stages. Changes take effect at once in every stage (as with `autoDeploy`). Requests are resolved
 * from memory; every change is written through to the store.
 */
export class HttpApiService {
  readonly #apis = new Map<string, ApiState>();

  constructor(
    private readonly store: HttpApiStore,
    private readonly scope: AccountScope,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    for (const snapshot of await this.store.all()) this.#apis.set(snapshot.api.apiId, toState(snapshot));
  }

  // ---- APIs --------------------------------------------------------------------------------

  async createApi(input: CreateApiInput): Promise<HttpApiRecord> {
    if (input.protocolType !== 'HTTP') {
      throw badRequest(`Unsupported protocol type: ${input.protocolType}. Nimbus serves HTTP APIs only.`);
    }
    if (input.cors) checkCors(input.cors);
    const quick = input.target === undefined ? undefined : functionOfIntegration(this.scope, input.target);
    if (input.routeKey !== undefined && input.target === undefined) {
      throw badRequest('RouteKey can only be specified together with Target (quick create).');
    }
    // A quick create that cannot finish leaves nothing behind: check the route key first.
    if (quick && input.routeKey !== undefined) checkRouteKey(input.routeKey);
    const api: HttpApiRecord = {
      apiId: this.#newId(API_ID_LENGTH, (id) => this.#apis.has(id)),
      name: input.name,
      protocolType: 'HTTP',
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.cors ? { cors: input.cors } : {}),
      routeSelectionExpression: '$request.method $request.path',
      apiKeySelectionExpression: '$request.header.x-api-key',
      ...(input.version !== undefined ? { version: input.version } : {}),
      disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
      tags: input.tags ?? {},
      createdDate: this.clock.now(),
    };
    const state = toState({ api, routes: [], integrations: [], stages: [] });
    this.#apis.set(api.apiId, state);
    await this.store.putApi(api);
    if (quick && input.target) {
      const integration = await this.createIntegration(api.apiId, {
        integrationType: 'AWS_PROXY',
        integrationUri: input.target,
        payloadFormatVersion: '2.0',
      });
      await this.createRoute(api.apiId, {
        routeKey: input.routeKey ?? DEFAULT_ROUTE,
        target: `integrations/${integration.integrationId}`,
      });
      await this.createStage(api.apiId, { stageName: DEFAULT_STAGE, autoDeploy: true });
    }
    return api;
  }

  getApi(apiId: string): HttpApiRecord {
    return this.#state(apiId).api;
  }

  /** Every API, ordered by id. */
  listApis(): HttpApiRecord[] {
    return [...this.#apis.values()].map((s) => s.api).sort((a, b) => a.apiId.localeCompare(b.apiId));
  }

  async updateApi(
    apiId: string,
    patch: Partial<Omit<CreateApiInput, 'protocolType'>>,
  ): Promise<HttpApiRecord> {
    const state = this.#state(apiId);
    if (patch.cors) checkCors(patch.cors);
    const api: HttpApiRecord = {
      ...state.api,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.cors ? { cors: patch.cors } : {}),
      ...(patch.version !== undefined ? { version: patch.version } : {}),
      ...(patch.disableExecuteApiEndpoint !== undefined
        ? { disableExecuteApiEndpoint: patch.disableExecuteApiEndpoint }
        : {}),
    };
    state.api = api;
    await this.store.putApi(api);
    return api;
  }

  async deleteApi(apiId: string): Promise<void> {
    this.#state(apiId);
    this.#apis.delete(apiId);
    await this.store.deleteApi(apiId);
  }

  // ---- routes ------------------------------------------------------------------------------

  async createRoute(apiId: string, input: { routeKey: string; target?: string }): Promise<HttpRouteRecord> {
    const state = this.#state(apiId);
    checkRouteKey(input.routeKey);
    if ([...state.routes.values()].some((r) => r.routeKey === input.routeKey)) {
      throw apiConflict(`Route with key ${input.routeKey} already exists for this API`);
    }
    if (input.target !== undefined) this.#checkTarget(state, input.target);
    const route: HttpRouteRecord = {
      routeId: this.#newId(CHILD_ID_LENGTH, (id) => state.routes.has(id)),
      routeKey: input.routeKey,
      ...(input.target !== undefined ? { target: input.target } : {}),
      authorizationType: 'NONE',
    };
    state.routes.set(route.routeId, route);
    rebuild(state);
    await this.store.putRoute(apiId, route);
    return route;
  }

  getRoute(apiId: string, routeId: string): HttpRouteRecord {
    const route = this.#state(apiId).routes.get(routeId);
    if (!route) throw apiNotFound(`Invalid Route identifier specified ${routeId}`, 'Route');
    return route;
  }

  listRoutes(apiId: string): HttpRouteRecord[] {
    return [...this.#state(apiId).routes.values()].sort((a, b) => a.routeId.localeCompare(b.routeId));
  }

  async updateRoute(
    apiId: string,
    routeId: string,
    patch: { routeKey?: string; target?: string },
  ): Promise<HttpRouteRecord> {
    const state = this.#state(apiId);
    const current = this.getRoute(apiId, routeId);
    if (patch.routeKey !== undefined && patch.routeKey !== current.routeKey) {
      checkRouteKey(patch.routeKey);
      if ([...state.routes.values()].some((r) => r.routeKey === patch.routeKey)) {
        throw apiConflict(`Route with key ${patch.routeKey} already exists for this API`);
      }
    }
    if (patch.target !== undefined) this.#checkTarget(state, patch.target);
    const route: HttpRouteRecord = {
      ...current,
      ...(patch.routeKey !== undefined ? { routeKey: patch.routeKey } : {}),
      ...(patch.target !== undefined ? { target: patch.target } : {}),
    };
    state.routes.set(routeId, route);
    rebuild(state);
    await this.store.putRoute(apiId, route);
    return route;
  }

  async deleteRoute(apiId: string, routeId: string): Promise<void> {
    const state = this.#state(apiId);
    this.getRoute(apiId, routeId);
    state.routes.delete(routeId);
    rebuild(state);
    await this.store.deleteRoute(apiId, routeId);
  }

  // ---- integrations ------------------------------------------------------------------------

  async createIntegration(apiId: string, input: IntegrationInput): Promise<HttpIntegrationRecord> {
    const state = this.#state(apiId);
    const integration = integrationRecord(
      this.scope,
      this.#newId(CHILD_ID_LENGTH, (id) => state.integrations.has(id)),
      input,
    );
    state.integrations.set(integration.integrationId, integration);
    await this.store.putIntegration(apiId, integration);
    return integration;
  }

  getIntegration(apiId: string, integrationId: string): HttpIntegrationRecord {
    const integration = this.#state(apiId).integrations.get(integrationId);
    if (!integration) {
      throw apiNotFound(`Invalid Integration identifier specified ${integrationId}`, 'Integration');
    }
    return integration;
  }

  listIntegrations(apiId: string): HttpIntegrationRecord[] {
    return [...this.#state(apiId).integrations.values()].sort((a, b) =>
      a.integrationId.localeCompare(b.integrationId),
    );
  }

  async updateIntegration(
    apiId: string,
    integrationId: string,
    patch: IntegrationInput,
  ): Promise<HttpIntegrationRecord> {
    const state = this.#state(apiId);
    const current = this.getIntegration(apiId, integrationId);
    const integration = integrationRecord(this.scope, integrationId, { ...current, ...definedOnly(patch) });
    state.integrations.set(integrationId, integration);
    await this.store.putIntegration(apiId, integration);
    return integration;
  }

  async deleteIntegration(apiId: string, integrationId: string): Promise<void> {
    const state = this.#state(apiId);
    this.getIntegration(apiId, integrationId);
    const user = [...state.routes.values()].find((r) => r.target === `integrations/${integrationId}`);
    if (user) {
      throw apiConflict(
        `Integration ${integrationId} is the target of route ${user.routeKey} (${user.routeId}); delete or retarget the route first.`,
      );
    }
    state.integrations.delete(integrationId);
    await this.store.deleteIntegration(apiId, integrationId);
  }

  // ---- stages ------------------------------------------------------------------------------

  async createStage(apiId: string, input: StageInput): Promise<HttpStageRecord> {
    const state = this.#state(apiId);
    const name = input.stageName ?? '';
    if (!STAGE_NAME.test(name)) {
      throw badRequest(`Stage name must be $default or 1-128 characters of [a-zA-Z0-9_-]: '${name}'`);
    }
    if (state.stages.has(name)) throw apiConflict(`Stage ${name} already exists`);
    checkStageVariables(input.stageVariables);
    const now = this.clock.now();
    const stage: HttpStageRecord = {
      stageName: name,
      autoDeploy: input.autoDeploy ?? false,
      ...(input.description !== undefined ? { description: input.description } : {}),
      stageVariables: input.stageVariables ?? {},
      tags: input.tags ?? {},
      createdDate: now,
      lastUpdatedDate: now,
    };
    state.stages.set(name, stage);
    await this.store.putStage(apiId, stage);
    return stage;
  }

  getStage(apiId: string, stageName: string): HttpStageRecord {
    const stage = this.#state(apiId).stages.get(stageName);
    if (!stage) throw apiNotFound(`Invalid stage identifier specified ${stageName}`, 'Stage');
    return stage;
  }

  listStages(apiId: string): HttpStageRecord[] {
    return [...this.#state(apiId).stages.values()].sort((a, b) => a.stageName.localeCompare(b.stageName));
  }

  async updateStage(apiId: string, stageName: string, patch: StageInput): Promise<HttpStageRecord> {
    const state = this.#state(apiId);
    const current = this.getStage(apiId, stageName);
    checkStageVariables(patch.stageVariables);
    const stage: HttpStageRecord = {
      ...current,
      ...(patch.autoDeploy !== undefined ? { autoDeploy: patch.autoDeploy } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      // UpdateStage merges variables; an empty value removes one.
      ...(patch.stageVariables
        ? { stageVariables: mergeVariables(current.stageVariables, patch.stageVariables) }
        : {}),
      lastUpdatedDate: this.clock.now(),
    };
    state.stages.set(stageName, stage);
    await this.store.putStage(apiId, stage);
    return stage;
  }

  async deleteStage(apiId: string, stageName: string): Promise<void> {
    const state = this.#state(apiId);
    this.getStage(apiId, stageName);
    state.stages.delete(stageName);
    await this.store.deleteStage(apiId, stageName);
  }

  // ---- requests ----------------------------------------------------------------------------

  /**
   * Resolves a request to `http://<apiId>.execute-api...<path>`: a first segment naming a stage
   * selects it, anything else goes to `$default`. `undefined` when nothing serves the request.
   */
  resolve(apiId: string, method: string, rawPath: string): ResolvedRequest | undefined {
    const state = this.#apis.get(apiId);
    if (!state) return undefined;
    const first = rawPath.split('/')[1] ?? '';
    let stage = first !== '' && first !== DEFAULT_STAGE ? state.stages.get(safeDecode(first)) : undefined;
    let path = rawPath;
    if (stage) path = rawPath.slice(first.length + 1) || '/';
    else stage = state.stages.get(DEFAULT_STAGE);
    if (!stage) return undefined;
    const match = state.table.match(method, path);
    if (!match) return undefined;
    const integrationId = TARGET.exec(match.value.target ?? '')?.[1];
    const integration = integrationId ? state.integrations.get(integrationId) : undefined;
    return {
      api: state.api,
      stage,
      path,
      match,
      ...(integration
        ? { integration, functionRef: functionOfIntegration(this.scope, integration.integrationUri) }
        : {}),
    };
  }

  // ---- internals ---------------------------------------------------------------------------

  #state(apiId: string): ApiState {
    const state = this.#apis.get(apiId);
    if (!state) throw apiNotFound(`Invalid API identifier specified ${this.scope.accountId}:${apiId}`, 'Api');
    return state;
  }

  #checkTarget(state: ApiState, target: string): void {
    const id = TARGET.exec(target)?.[1];
    if (!id) throw badRequest(`Invalid target: '${target}'. A target must be integrations/<integrationId>.`);
    if (!state.integrations.has(id)) {
      throw badRequest(`Invalid target: integration ${id} does not exist in API ${state.api.apiId}.`);
    }
  }

  #newId(length: number, taken: (id: string) => boolean): string {
    for (;;) {
      const id = randomId(length);
      if (!taken(id)) return id;
    }
  }
}

function toState(s: HttpApiSnapshot): ApiState {
  const state: ApiState = {
    api: s.api,
    routes: new Map(s.routes.map((r) => [r.routeId, r])),
    integrations: new Map(s.integrations.map((i) => [i.integrationId, i])),
    stages: new Map(s.stages.map((st) => [st.stageName, st])),
    table: new RouteTable(),
  };
  rebuild(state);
  return state;
}

function rebuild(state: ApiState): void {
  const table = new RouteTable<HttpRouteRecord>();
  for (const r of state.routes.values()) {
    const parsed = parseRouteKey(r.routeKey);
    if (typeof parsed !== 'string') table.add(parsed, r);
  }
  state.table = table;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
