import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.js';
import { GroupCommitter } from '../../src/store/sqlite/group-commit.js';

let dir: string;
let db: SqliteDatabase;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nimbus-gc-'));
  db = openDatabase(join(dir, 'nimbus.db'));
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY) STRICT');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (k: string) => () => db.prepare('INSERT INTO t (k) VALUES (?)').run(k).changes;
const keys = () => (db.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k);

describe('GroupCommitter', () => {
  it('runs the writes of one event-loop turn together after it, settling each with its result', async () => {
    const gc = new GroupCommitter(db, 'process');
    const results = Promise.all(['a', 'b', 'c'].map((k) => gc.run(insert(k))));
    // Nothing is visible before the turn ends: the callers are not told before the commit.
    expect(keys()).toEqual([]);
    expect(await results).toEqual([1, 1, 1]);
    expect(keys()).toEqual(['a', 'b', 'c']);
    expect(db.inTransaction).toBe(false);
  });

  it('fails only the write that throws; the rest of the batch is committed', async () => {
    const gc = new GroupCommitter(db, 'process');
    await gc.run(insert('dup'));
    const outcomes = await Promise.allSettled([
      gc.run(insert('x')),
      gc.run(insert('dup')),
      gc.run(insert('y')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(keys()).toEqual(['dup', 'x', 'y']);
  });

  it('with power durability commits with synchronous=FULL and restores NORMAL after', async () => {
    const gc = new GroupCommitter(db, 'power');
    let during: unknown;
    await gc.run(() => {
      during = db.pragma('synchronous', { simple: true });
    });
    expect(during).toBe(2); // FULL
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
  });

  it('flush resolves once everything requested so far is committed', async () => {
    const gc = new GroupCommitter(db, 'process');
    void gc.run(insert('late'));
    await gc.flush();
    expect(keys()).toEqual(['late']);
    await gc.flush();
  });
});
