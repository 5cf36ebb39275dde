import { LATEST } from '../../domain/arn.js';
import { type FunctionRecord, type FunctionVersion, FunctionVersionSchema } from '../../domain/function.js';
import type { FunctionStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  name: string;
  tags: string;
  created_at: number;
  config: string;
}

const SELECT = `SELECT f.name, f.tags, f.created_at, v.config
  FROM functions f JOIN function_versions v ON v.name = f.name AND v.version = '${LATEST}'`;

export class SqliteFunctionStore implements FunctionStore {
  readonly #getStmt;
  readonly #listStmt;
  readonly #countStmt;
  readonly #insertFn;
  readonly #insertVersion;
  readonly #updateLatest;
  readonly #updateLatestIf;
  readonly #setTags;
  readonly #delete;
  readonly #allConfigs;

  constructor(private readonly db: SqliteDatabase) {
    this.#getStmt = db.prepare<[string], Row>(`${SELECT} WHERE f.name = ?`);
    this.#listStmt = db.prepare<[string, number], Row>(`${SELECT} WHERE f.name > ? ORDER BY f.name LIMIT ?`);
    this.#countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM functions');
    this.#insertFn = db.prepare('INSERT OR IGNORE INTO functions (name, tags, created_at) VALUES (?, ?, ?)');
    this.#insertVersion = db.prepare(
      'INSERT INTO function_versions (name, version, revision_id, config) VALUES (?, ?, ?, ?)',
    );
    this.#updateLatest = db.prepare(
      `UPDATE function_versions SET revision_id = ?, config = ? WHERE name = ? AND version = '${LATEST}'`,
    );
    this.#updateLatestIf = db.prepare(
      `UPDATE function_versions SET revision_id = ?, config = ?
       WHERE name = ? AND version = '${LATEST}' AND revision_id = ?`,
    );
    this.#setTags = db.prepare('UPDATE functions SET tags = ? WHERE name = ?');
    this.#delete = db.prepare('DELETE FROM functions WHERE name = ?');
    this.#allConfigs = db.prepare<[], { config: string }>('SELECT config FROM function_versions');
  }

  async get(name: string): Promise<FunctionRecord | undefined> {
    const row = this.#getStmt.get(name);
    return row && toRecord(row);
  }

  async list(options: { afterName?: string; limit: number }): Promise<FunctionRecord[]> {
    return this.#listStmt.all(options.afterName ?? '', options.limit).map(toRecord);
  }

  async count(): Promise<number> {
    return this.#countStmt.get()!.n;
  }

  async create(record: FunctionRecord): Promise<boolean> {
    return this.db.transaction(() => {
      const r = this.#insertFn.run(record.name, JSON.stringify(record.tags), record.createdAt);
      if (r.changes === 0) return false;
      const v = record.latest;
      this.#insertVersion.run(v.name, v.version, v.revisionId, JSON.stringify(v));
      return true;
    })();
  }

  async updateLatest(latest: FunctionVersion, expectedRevisionId?: string): Promise<boolean> {
    const config = JSON.stringify(latest);
    const r =
      expectedRevisionId === undefined
        ? this.#updateLatest.run(latest.revisionId, config, latest.name)
        : this.#updateLatestIf.run(latest.revisionId, config, latest.name, expectedRevisionId);
    return r.changes === 1;
  }

  async setTags(name: string, tags: Record<string, string>): Promise<boolean> {
    return this.#setTags.run(JSON.stringify(tags), name).changes === 1;
  }

  async delete(name: string): Promise<boolean> {
    return this.#delete.run(name).changes === 1;
  }

  async referencedCode(): Promise<{ blobKeys: Set<string>; imageKeys: Set<string>; totalCodeSize: number }> {
    const blobKeys = new Set<string>();
    const imageKeys = new Set<string>();
    let totalCodeSize = 0;
    for (const { config } of this.#allConfigs.iterate()) {
      const v = parseVersion(config);
      if (!blobKeys.has(v.code.blobKey)) totalCodeSize += v.code.size;
      blobKeys.add(v.code.blobKey);
      imageKeys.add(v.code.imageKey);
    }
    return { blobKeys, imageKeys, totalCodeSize };
  }
}

function parseVersion(json: string): FunctionVersion {
  return FunctionVersionSchema.parse(JSON.parse(json));
}

function toRecord(row: Row): FunctionRecord {
  return {
    name: row.name,
    tags: JSON.parse(row.tags) as Record<string, string>,
    createdAt: row.created_at,
    latest: parseVersion(row.config),
  };
}
