import pg from 'pg';
import { invalidParameter } from '../../domain/errors.js';
import type { PostgresSource } from './postgres-arn.js';
import { quoteIdent } from './replication-stream.js';

/** How long a configuration-time check may take to connect. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Where a connection string points, without its password (for messages). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the given address';
  }
}

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw invalidParameter(`Cannot connect to PostgreSQL at ${describeUrl(url)}: ${(e as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Checks what logical replication needs and creates the mapping's publication and slot, with a
 * clear error for each thing that is missing: a reachable server, `wal_level=logical`, a role
 * with REPLICATION, the tables, rights to publish them, a free replication slot.
 */
export async function prepareReplication(url: string, source: PostgresSource, slot: string): Promise<void> {
  await withClient(url, async (c) => {
    const db = (
      await c.query<{ db: string; usr: string }>('SELECT current_database() AS db, current_user AS usr')
    ).rows[0]!;
    if (db.db !== source.database) {
      throw invalidParameter(
        `The connection string points at database ${db.db}, the EventSourceArn at ${source.database}.`,
      );
    }
    const wal = (await c.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
    if (wal !== 'logical') {
      throw invalidParameter(
        `PostgreSQL at ${describeUrl(url)} has wal_level=${wal}; table changes need wal_level=logical (ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL).`,
      );
    }
    const role = (
      await c.query<{ ok: boolean }>(
        'SELECT rolreplication OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user',
      )
    ).rows[0];
    if (!role?.ok) {
      throw invalidParameter(
        `Role ${db.usr} may not use replication: grant it with ALTER ROLE ${quoteIdent(db.usr)} WITH REPLICATION.`,
      );
    }
    for (const t of source.tables) {
      const found = (
        await c.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [
          `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`,
        ])
      ).rows[0];
      if (!found?.oid)
        throw invalidParameter(`Table ${t.schema}.${t.name} does not exist in database ${source.database}.`);
    }
    const tables = source.tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`).join(', ');
    await c.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(slot)}`);
    try {
      await c.query(
        `CREATE PUBLICATION ${quoteIdent(slot)} FOR TABLE ${tables} WITH (publish = 'insert, update, delete')`,
      );
    } catch (e) {
      throw invalidParameter(
        `Cannot publish ${tables} (the role must own the tables): ${(e as Error).message}`,
      );
    }
    try {
      const exists = await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (exists.rowCount === 0)
        await c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
    } catch (e) {
      await c.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(slot)}`).catch(() => undefined);
      throw invalidParameter(`Cannot create replication slot ${slot}: ${(e as Error).message}`);
    }
  });
}

/** Tables of the source that will give only keys in OldImage (REPLICA IDENTITY not FULL). */
export async function replicaIdentities(
  url: string,
  source: PostgresSource,
): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const out: Record<string, string> = {};
    for (const t of source.tables) {
      const r = await c.query<{ relreplident: string }>(
        'SELECT relreplident FROM pg_class WHERE oid = to_regclass($1)',
        [`${quoteIdent(t.schema)}.${quoteIdent(t.name)}`],
      );
      out[`${t.schema}.${t.name}`] = r.rows[0]?.relreplident ?? '?';
    }
    return out;
  });
}

/** Drops the mapping's slot (releasing the WAL it holds) and publication. Retries while the slot is busy. */
export async function dropReplication(
  url: string,
  slot: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  await withClient(url, async (c) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(
          'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
          [slot],
        );
        break;
      } catch (e) {
        // 55006: the slot is still active (our stream's connection has not gone yet). Give it a
        // moment to close; after that, end the backend still holding it (it is ours, and the
        // mapping is being deleted).
        if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
        if (attempt >= 5) {
          await c.query(
            'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active',
            [slot],
          );
        }
        await sleep(100);
      }
    }
    await c.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(slot)}`);
  });
}

/** Primary key columns of each table (`schema.table` → columns); tables without one are left out. */
export async function primaryKeys(url: string, source: PostgresSource): Promise<Map<string, string[]>> {
  return withClient(url, async (c) => {
    const out = new Map<string, string[]>();
    for (const t of source.tables) {
      const r = await c.query<{ attname: string }>(
        `SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [`${quoteIdent(t.schema)}.${quoteIdent(t.name)}`],
      );
      if (r.rows.length)
        out.set(
          `${t.schema}.${t.name}`,
          r.rows.map((x) => x.attname),
        );
    }
    return out;
  });
}
