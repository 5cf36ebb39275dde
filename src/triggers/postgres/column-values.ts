import pgTypes from 'pg-types';
import type { Relation, TupleValue } from './pgoutput.js';

/** Type OIDs whose text form Nimbus keeps as is (dates and times keep PostgreSQL's exact text). */
const KEEP_TEXT = new Set([
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1266, // timetz
  1186, // interval
  1700, // numeric: exact digits matter more than a float
]);
const INT8 = 20;
const BYTEA = 17;

/**
 * A column's text form (what pgoutput sends) as a plain JSON value: integers, floats and booleans
 * as JSON numbers and booleans, `json`/`jsonb` parsed, arrays as arrays, `bytea` as base64, dates,
 * times and `numeric` as PostgreSQL's text, anything else as a string. A `bigint` outside the safe
 * integer range stays a string.
 */
export function columnValue(typeOid: number, text: string): unknown {
  if (KEEP_TEXT.has(typeOid)) return text;
  if (typeOid === INT8) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (typeOid === BYTEA) return (pgTypes.getTypeParser(BYTEA, 'text')(text) as Buffer).toString('base64');
  const parsed: unknown = pgTypes.getTypeParser(typeOid, 'text')(text);
  return toJson(parsed);
}

function toJson(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return v.map(toJson);
  return v;
}

/** A tuple as `{ column: value }`; unchanged TOASTed columns are left out (their value was not sent). */
export function tupleImage(
  rel: Relation,
  values: readonly TupleValue[],
  onlyKeys = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  rel.columns.forEach((c, i) => {
    const v = values[i];
    if (!v || v.kind === 'unchanged') return;
    if (onlyKeys && !c.isKey) return;
    out[c.name] = v.kind === 'null' ? null : columnValue(c.typeOid, v.text);
  });
  return out;
}

/**
 * The row's key: its primary key columns when known, else the replica identity columns (which
 * with REPLICA IDENTITY FULL are all of them).
 */
export function keysOf(
  rel: Relation,
  image: Record<string, unknown>,
  primaryKey?: readonly string[],
): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  const names = primaryKey ?? rel.columns.filter((c) => c.isKey).map((c) => c.name);
  for (const n of names) if (n in image) keys[n] = image[n];
  return keys;
}
