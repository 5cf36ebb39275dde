import { type Lsn, pgTimeToMs } from './lsn.js';

/**
 * A decoder for PostgreSQL's `pgoutput` logical replication messages, protocol version 1
 * (PostgreSQL docs, "Logical Replication Message Formats"). Pure: bytes in, messages out.
 */

export interface RelationColumn {
  name: string;
  typeOid: number;
  /** Part of the replica identity (the key). */
  isKey: boolean;
}

export interface Relation {
  id: number;
  schema: string;
  name: string;
  /** `d` default (primary key), `n` nothing, `f` full, `i` index. */
  replicaIdentity: string;
  columns: RelationColumn[];
}

/** One column value of a tuple: SQL NULL, an unchanged TOASTed value, or its text form. */
export type TupleValue = { kind: 'null' } | { kind: 'unchanged' } | { kind: 'text'; text: string };

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTime: number; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTime: number }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
  | {
      tag: 'update';
      relationId: number;
      /** `key` when the key changed (key columns only), `full` with REPLICA IDENTITY FULL. */
      old?: { kind: 'key' | 'full'; tuple: TupleValue[] };
      newTuple: TupleValue[];
    }
  | { tag: 'delete'; relationId: number; old: { kind: 'key' | 'full'; tuple: TupleValue[] } }
  | { tag: 'truncate'; relationIds: number[] }
  | { tag: 'other'; type: string };

class Reader {
  #at = 0;
  constructor(private readonly buf: Buffer) {}
  byte(): number {
    return this.buf.readUInt8(this.#at++);
  }
  char(): string {
    return String.fromCharCode(this.byte());
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.#at);
    this.#at += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.#at);
    this.#at += 4;
    return v;
  }
  uint32(): number {
    const v = this.buf.readUInt32BE(this.#at);
    this.#at += 4;
    return v;
  }
  int64(): bigint {
    const v = this.buf.readBigUInt64BE(this.#at);
    this.#at += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.#at);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.#at, end);
    this.#at = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return b;
  }
}

function tuple(r: Reader): TupleValue[] {
  const n = r.int16();
  const out: TupleValue[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.char();
    if (kind === 'n') out.push({ kind: 'null' });
    else if (kind === 'u') out.push({ kind: 'unchanged' });
    else if (kind === 't') out.push({ kind: 'text', text: r.bytes(r.int32()).toString('utf8') });
    else throw new Error(`pgoutput: unsupported tuple value kind ${kind}`);
  }
  return out;
}

export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const tag = r.char();
  switch (tag) {
    case 'B': {
      const finalLsn = r.int64();
      const commitTime = pgTimeToMs(r.int64());
      return { tag: 'begin', finalLsn, commitTime, xid: r.uint32() };
    }
    case 'C': {
      r.byte(); // flags, unused
      const commitLsn = r.int64();
      const endLsn = r.int64();
      return { tag: 'commit', commitLsn, endLsn, commitTime: pgTimeToMs(r.int64()) };
    }
    case 'R': {
      const id = r.uint32();
      const schema = r.cstring();
      const name = r.cstring();
      const replicaIdentity = r.char();
      const n = r.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.byte();
        const colName = r.cstring();
        const typeOid = r.uint32();
        r.int32(); // type modifier
        columns.push({ name: colName, typeOid, isKey: (flags & 1) === 1 });
      }
      return { tag: 'relation', relation: { id, schema, name, replicaIdentity, columns } };
    }
    case 'I': {
      const relationId = r.uint32();
      r.char(); // 'N'
      return { tag: 'insert', relationId, newTuple: tuple(r) };
    }
    case 'U': {
      const relationId = r.uint32();
      let kind = r.char();
      let old: { kind: 'key' | 'full'; tuple: TupleValue[] } | undefined;
      if (kind === 'K' || kind === 'O') {
        old = { kind: kind === 'K' ? 'key' : 'full', tuple: tuple(r) };
        kind = r.char();
      }
      return { tag: 'update', relationId, ...(old ? { old } : {}), newTuple: tuple(r) };
    }
    case 'D': {
      const relationId = r.uint32();
      const kind = r.char();
      return { tag: 'delete', relationId, old: { kind: kind === 'K' ? 'key' : 'full', tuple: tuple(r) } };
    }
    case 'T': {
      const n = r.uint32();
      r.byte(); // options
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.uint32());
      return { tag: 'truncate', relationIds };
    }
    default:
      return { tag: 'other', type: tag };
  }
}
