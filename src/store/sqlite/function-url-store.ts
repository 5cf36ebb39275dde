import { type FunctionUrlRecord, FunctionUrlRecordSchema } from '../../domain/http-triggers.js';
import type { FunctionUrlStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

export class SqliteFunctionUrlStore implements FunctionUrlStore {
  readonly #all;
  readonly #upsert;
  readonly #delete;

  constructor(db: SqliteDatabase) {
    this.#all = db.prepare<[], { config: string }>('SELECT config FROM function_urls ORDER BY url_id');
    this.#upsert = db.prepare(
      `INSERT INTO function_urls (url_id, function_name, qualifier, config) VALUES (?, ?, ?, ?)
       ON CONFLICT (function_name, qualifier) DO UPDATE SET url_id = excluded.url_id, config = excluded.config`,
    );
    this.#delete = db.prepare('DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?');
  }

  async all(): Promise<FunctionUrlRecord[]> {
    return this.#all.all().map((r) => FunctionUrlRecordSchema.parse(JSON.parse(r.config)));
  }

  async put(record: FunctionUrlRecord): Promise<void> {
    this.#upsert.run(record.urlId, record.functionName, record.qualifier, JSON.stringify(record));
  }

  async delete(functionName: string, qualifier: string): Promise<boolean> {
    return this.#delete.run(functionName, qualifier).changes === 1;
  }
}
