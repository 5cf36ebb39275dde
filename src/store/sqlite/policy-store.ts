import { z } from 'zod';
import type { PolicyStatement } from '../../domain/resource-policy.js';
import type { PolicyStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

/** What a stored statement must look like when read back. */
const StatementsSchema = z.array(
  z.object({
    Sid: z.string(),
    Effect: z.literal('Allow'),
    Principal: z.union([z.literal('*'), z.object({ Service: z.string() }), z.object({ AWS: z.string() })]),
    Action: z.string(),
    Resource: z.string(),
    Condition: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  }),
);

/** One row per function and qualifier: the statements as a JSON array, in the order they were added. */
export class SqlitePolicyStore implements PolicyStore {
  readonly #get;
  readonly #put;
  readonly #delete;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<[string, string], { statements: string }>(
      'SELECT statements FROM function_policies WHERE function = ? AND qualifier = ?',
    );
    this.#put = db.prepare(
      `INSERT INTO function_policies (function, qualifier, statements) VALUES (?, ?, ?)
       ON CONFLICT (function, qualifier) DO UPDATE SET statements = excluded.statements`,
    );
    this.#delete = db.prepare('DELETE FROM function_policies WHERE function = ? AND qualifier = ?');
  }

  async get(functionName: string, qualifier: string): Promise<PolicyStatement[]> {
    const row = this.#get.get(functionName, qualifier);
    return row ? (StatementsSchema.parse(JSON.parse(row.statements)) as PolicyStatement[]) : [];
  }

  async put(functionName: string, qualifier: string, statements: readonly PolicyStatement[]): Promise<void> {
    if (statements.length === 0) this.#delete.run(functionName, qualifier);
    else this.#put.run(functionName, qualifier, JSON.stringify(statements));
  }

  async delete(functionName: string, qualifier: string): Promise<void> {
    this.#delete.run(functionName, qualifier);
  }
}
