import { CORE } from './0001-core.js';
import { VERSIONS_ALIASES_LAYERS } from './0002-versions-aliases-layers.js';
import { QUEUES } from './0003-queues.js';
import { EVENT_SOURCE_MAPPINGS } from './0004-event-source-mappings.js';
import { HTTP_TRIGGERS } from './0005-http-triggers.js';
import { OBJECTS } from './0006-objects.js';
import { CONSOLE } from './0007-console.js';
import { ASYNC_INVOKE } from './0008-async-invoke.js';
import { CONCURRENCY } from './0009-concurrency.js';
import { SCHEDULES } from './0010-schedules.js';
import { FUNCTION_POLICIES } from './0011-function-policies.js';
import { SCRAPE_INDEXES } from './0012-scrape-indexes.js';

export interface Migration {
  /** Unique and stable: `NNNN-topic`. Never edit a migration that has shipped; add a new one. */
  id: string;
  sql: string;
}

/**
 * Every migration, applied in this order; each runs once per database (recorded by id in
 * `schema_migrations`). Features add their own file and one line here.
 */
export const MIGRATIONS: readonly Migration[] = [
  CORE,
  VERSIONS_ALIASES_LAYERS,
  QUEUES,
  EVENT_SOURCE_MAPPINGS,
  HTTP_TRIGGERS,
  OBJECTS,
  CONSOLE,
  ASYNC_INVOKE,
  CONCURRENCY,
  SCHEDULES,
  FUNCTION_POLICIES,
  SCRAPE_INDEXES,
];
