import { type EventInvokeConfig, EventInvokeConfigSchema } from '../../domain/async-invoke.js';
import type { EventInvokeConfigStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

export class SqliteEventInvokeConfigStore implements EventInvokeConfigStore {
  readonly #get;
  readonly #put;
  readonly #delete;
  readonly #list;
  readonly #exists;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<[string, string], { config: string }>(
      'SELECT config FROM event_invoke_configs WHERE function = ? AND qualifier = ?',
    );
    this.#put = db.prepare(
      `INSERT INTO event_invoke_configs (function, qualifier, config) VALUES (?, ?, ?)
       ON CONFLICT (function, qualifier) DO UPDATE SET config = excluded.config`,
    );
    this.#delete = db.prepare('DELETE FROM event_invoke_configs WHERE function = ? AND qualifier = ?');
    this.#list = db.prepare<[string, string, number], { config: string }>(
      'SELECT config FROM event_invoke_configs WHERE function = ? AND qualifier > ? ORDER BY qualifier LIMIT ?',
    );
    this.#exists = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM functions WHERE name = ?');
  }

  async get(functionName: string, qualifier: string): Promise<EventInvokeConfig | undefined> {
    const row = this.#get.get(functionName, qualifier);
    return row && parse(row.config);
  }

  async put(c: EventInvokeConfig): Promise<boolean> {
    if (this.#exists.get(c.functionName)!.n === 0) return false;
    this.#put.run(c.functionName, c.qualifier, JSON.stringify(c));
    return true;
  }

  async delete(functionName: string, qualifier: string): Promise<boolean> {
    return this.#delete.run(functionName, qualifier).changes === 1;
  }

  async list(
    functionName: string,
    options: { afterQualifier?: string; limit: number },
  ): Promise<EventInvokeConfig[]> {
    return this.#list
      .all(functionName, options.afterQualifier ?? '', options.limit)
      .map((r) => parse(r.config));
  }
}

function parse(json: string): EventInvokeConfig {
  return EventInvokeConfigSchema.parse(JSON.parse(json));
}
