import type { TestEvent, TestEventStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  name: string;
  event: string;
  updated_at: number;
}

export class SqliteTestEventStore implements TestEventStore {
  readonly #list;
  readonly #put;
  readonly #delete;
  readonly #exists;

  constructor(db: SqliteDatabase) {
    this.#list = db.prepare<[string], Row>(
      'SELECT name, event, updated_at FROM test_events WHERE function = ? ORDER BY name',
    );
    this.#put = db.prepare(
      `INSERT INTO test_events (function, name, event, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (function, name) DO UPDATE SET event = excluded.event, updated_at = excluded.updated_at`,
    );
    this.#delete = db.prepare('DELETE FROM test_events WHERE function = ? AND name = ?');
    this.#exists = db.prepare<[string], { n: number }>('SELECT 1 AS n FROM functions WHERE name = ?');
  }

  async list(functionName: string): Promise<TestEvent[]> {
    return this.#list
      .all(functionName)
      .map((r) => ({ name: r.name, event: r.event, updatedAt: r.updated_at }));
  }

  async put(functionName: string, e: TestEvent): Promise<boolean> {
    if (!this.#exists.get(functionName)) return false;
    this.#put.run(functionName, e.name, e.event, e.updatedAt);
    return true;
  }

  async delete(functionName: string, name: string): Promise<boolean> {
    return this.#delete.run(functionName, name).changes > 0;
  }
}
