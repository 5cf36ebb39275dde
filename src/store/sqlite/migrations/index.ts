import { CORE } from './0001-core.js';
import { CONCURRENCY } from './0002-concurrency.js';

export interface Migration {
  /** Unique and stable: `NNNN-topic`. Never edit a migration that has shipped; add a new one. */
  id: string;
  sql: string;
}

/**
 * Every migration, applied in this order; each runs once per database (recorded by id in
 * `schema_migrations`). Features add their own file and one line here.
 */
export const MIGRATIONS: readonly Migration[] = [CORE, CONCURRENCY];
