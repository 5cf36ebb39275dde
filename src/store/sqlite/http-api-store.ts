import type { z } from 'zod';
import {
  type HttpApiRecord,
  HttpApiRecordSchema,
  type HttpApiSnapshot,
  type HttpIntegrationRecord,
  HttpIntegrationRecordSchema,
  type HttpRouteRecord,
  HttpRouteRecordSchema,
  type HttpStageRecord,
  HttpStageRecordSchema,
} from '../../domain/http-triggers.js';
import type { HttpApiStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

/** One child table of an API: rows keyed by `(api_id, <key>)` holding JSON. */
class ChildTable<T> {
  readonly #all;
  readonly #upsert;
  readonly #delete;

  constructor(
    db: SqliteDatabase,
    table: string,
    key: string,
    private readonly schema: z.ZodType<T>,
  ) {
    this.#all = db.prepare<[], { api_id: string; config: string }>(
      `SELECT api_id, config FROM ${table} ORDER BY api_id, ${key}`,
    );
    this.#upsert = db.prepare(
      `INSERT INTO ${table} (api_id, ${key}, config) VALUES (?, ?, ?)
       ON CONFLICT (api_id, ${key}) DO UPDATE SET config = excluded.config`,
    );
    this.#delete = db.prepare(`DELETE FROM ${table} WHERE api_id = ? AND ${key} = ?`);
  }

  byApi(): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const r of this.#all.all()) {
      const list = out.get(r.api_id) ?? [];
      list.push(this.schema.parse(JSON.parse(r.config)));
      out.set(r.api_id, list);
    }
    return out;
  }

  put(apiId: string, id: string, value: T): void {
    this.#upsert.run(apiId, id, JSON.stringify(value));
  }

  delete(apiId: string, id: string): boolean {
    return this.#delete.run(apiId, id).changes === 1;
  }
}

export class SqliteHttpApiStore implements HttpApiStore {
  readonly #apis;
  readonly #upsertApi;
  readonly #deleteApi;
  readonly #routes: ChildTable<HttpRouteRecord>;
  readonly #integrations: ChildTable<HttpIntegrationRecord>;
  readonly #stages: ChildTable<HttpStageRecord>;

  constructor(db: SqliteDatabase) {
    this.#apis = db.prepare<[], { config: string }>('SELECT config FROM http_apis ORDER BY api_id');
    this.#upsertApi = db.prepare(
      `INSERT INTO http_apis (api_id, config) VALUES (?, ?)
       ON CONFLICT (api_id) DO UPDATE SET config = excluded.config`,
    );
    this.#deleteApi = db.prepare('DELETE FROM http_apis WHERE api_id = ?');
    this.#routes = new ChildTable(db, 'http_api_routes', 'route_id', HttpRouteRecordSchema);
    this.#integrations = new ChildTable(
      db,
      'http_api_integrations',
      'integration_id',
      HttpIntegrationRecordSchema,
    );
    this.#stages = new ChildTable(db, 'http_api_stages', 'stage_name', HttpStageRecordSchema);
  }

  async all(): Promise<HttpApiSnapshot[]> {
    const routes = this.#routes.byApi();
    const integrations = this.#integrations.byApi();
    const stages = this.#stages.byApi();
    return this.#apis.all().map((r) => {
      const api = HttpApiRecordSchema.parse(JSON.parse(r.config));
      return {
        api,
        routes: routes.get(api.apiId) ?? [],
        integrations: integrations.get(api.apiId) ?? [],
        stages: stages.get(api.apiId) ?? [],
      };
    });
  }

  async putApi(api: HttpApiRecord): Promise<void> {
    this.#upsertApi.run(api.apiId, JSON.stringify(api));
  }

  async deleteApi(apiId: string): Promise<boolean> {
    return this.#deleteApi.run(apiId).changes === 1;
  }

  async putRoute(apiId: string, route: HttpRouteRecord): Promise<void> {
    this.#routes.put(apiId, route.routeId, route);
  }

  async deleteRoute(apiId: string, routeId: string): Promise<boolean> {
    return this.#routes.delete(apiId, routeId);
  }

  async putIntegration(apiId: string, integration: HttpIntegrationRecord): Promise<void> {
    this.#integrations.put(apiId, integration.integrationId, integration);
  }

  async deleteIntegration(apiId: string, integrationId: string): Promise<boolean> {
    return this.#integrations.delete(apiId, integrationId);
  }

  async putStage(apiId: string, stage: HttpStageRecord): Promise<void> {
    this.#stages.put(apiId, stage.stageName, stage);
  }

  async deleteStage(apiId: string, stageName: string): Promise<boolean> {
    return this.#stages.delete(apiId, stageName);
  }
}
