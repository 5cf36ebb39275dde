import { invalidParameter } from '../../domain/errors.js';

/**
 * Nimbus's event source ARN for PostgreSQL tables (no AWS service has one):
 *
 *   arn:nimbus:postgres:<region>:<account>:db/<database>/table/<schema>.<table>[,<schema>.<table>...]
 *
 * and, in each record's `eventSourceARN`, one table and the replication slot that streams it:
 *
 *   arn:nimbus:postgres:<region>:<account>:db/<database>/table/<schema>.<table>/stream/<slot>
 *
 * The connection string goes in `SelfManagedEventSource.Endpoints.POSTGRES_URL` (it may hold a
 * password, which never appears in an ARN or an API answer).
 */
export interface PostgresSource {
  region: string;
  accountId: string;
  database: string;
  tables: { schema: string; name: string }[];
}

const IDENT = '[A-Za-z_][A-Za-z0-9_$]{0,62}';
const ARN = /^arn:nimbus:postgres:([a-z0-9-]*):(\d{12}):db\/([^/]{1,63})\/table\/(.+)$/;
const TABLE = new RegExp(`^(${IDENT})\\.(${IDENT})$`);

export const ENDPOINT_KEY = 'POSTGRES_URL';

export function parsePostgresArn(arn: string): PostgresSource {
  const m = ARN.exec(arn);
  if (!m) {
    throw invalidParameter(
      `${arn} is not a PostgreSQL source ARN: expected arn:nimbus:postgres:<region>:<account>:db/<database>/table/<schema>.<table>[,<schema>.<table>...]`,
    );
  }
  const tables = m[4]!.split(',').map((t) => {
    const tm = TABLE.exec(t.trim());
    if (!tm)
      throw invalidParameter(
        `Table ${t} must be written <schema>.<table> (plain identifiers, e.g. public.orders).`,
      );
    return { schema: tm[1]!, name: tm[2]! };
  });
  return { region: m[1]!, accountId: m[2]!, database: m[3]!, tables };
}

export function postgresArn(s: PostgresSource): string {
  return `arn:nimbus:postgres:${s.region}:${s.accountId}:db/${s.database}/table/${s.tables.map((t) => `${t.schema}.${t.name}`).join(',')}`;
}

export function recordSourceArn(s: PostgresSource, schema: string, table: string, slot: string): string {
  return `arn:nimbus:postgres:${s.region}:${s.accountId}:db/${s.database}/table/${schema}.${table}/stream/${slot}`;
}

/** Slot and publication of a mapping: `nimbus_<uuid hex>` (PostgreSQL names are at most 63 bytes). */
export const slotName = (uuid: string) => `nimbus_${uuid.replace(/-/g, '')}`;
