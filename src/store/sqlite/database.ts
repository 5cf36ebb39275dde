import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) the embedded database in WAL mode and brings its schema up to date.
 * `synchronous=NORMAL` in WAL mode survives a crash of the process (what Nimbus promises for
 * acknowledged work); writers that must also survive power loss switch to FULL for their commit.
 */
export function openDatabase(file: string): SqliteDatabase {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
