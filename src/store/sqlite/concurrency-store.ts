import type { ConcurrencyStore, FunctionConcurrencyRecord } from '../ports.js';
import type { SqliteDatabase } from './database.js';

export class SqliteConcurrencyStore implements ConcurrencyStore {
  readonly #reserved;
  readonly #provisioned;
  readonly #setReserved;
  readonly #clearReserved;
  readonly #setProvisioned;
  readonly #clearProvisioned;

  constructor(db: SqliteDatabase) {
    this.#reserved = db.prepare<[], { function: string; reserved: number }>(
      'SELECT function, reserved FROM reserved_concurrency',
    );
    this.#provisioned = db.prepare<
      [],
      { function: string; qualifier: string; requested: number; last_modified: number }
    >(
      'SELECT function, qualifier, requested, last_modified FROM provisioned_concurrency ORDER BY function, qualifier',
    );
    this.#setReserved = db.prepare(
      'INSERT INTO reserved_concurrency (function, reserved) VALUES (?, ?) ON CONFLICT (function) DO UPDATE SET reserved = excluded.reserved',
    );
    this.#clearReserved = db.prepare('DELETE FROM reserved_concurrency WHERE function = ?');
    this.#setProvisioned = db.prepare(
      `INSERT INTO provisioned_concurrency (function, qualifier, requested, last_modified) VALUES (?, ?, ?, ?)
       ON CONFLICT (function, qualifier) DO UPDATE SET requested = excluded.requested, last_modified = excluded.last_modified`,
    );
    this.#clearProvisioned = db.prepare(
      'DELETE FROM provisioned_concurrency WHERE function = ? AND qualifier = ?',
    );
  }

  async all(): Promise<FunctionConcurrencyRecord[]> {
    const byName = new Map<string, FunctionConcurrencyRecord>();
    const of = (name: string) => {
      let r = byName.get(name);
      if (!r) {
        r = { functionName: name, provisioned: [] };
        byName.set(name, r);
      }
      return r;
    };
    for (const row of this.#reserved.all()) of(row.function).reserved = row.reserved;
    for (const row of this.#provisioned.all()) {
      of(row.function).provisioned.push({
        qualifier: row.qualifier,
        requested: row.requested,
        lastModified: row.last_modified,
      });
    }
    return [...byName.values()];
  }

  async setReserved(functionName: string, reserved: number | undefined): Promise<void> {
    if (reserved === undefined) this.#clearReserved.run(functionName);
    else this.#setReserved.run(functionName, reserved);
  }

  async setProvisioned(
    functionName: string,
    qualifier: string,
    requested: number | undefined,
    lastModified: number,
  ): Promise<void> {
    if (requested === undefined) this.#clearProvisioned.run(functionName, qualifier);
    else this.#setProvisioned.run(functionName, qualifier, requested, lastModified);
  }
}
