import { LATEST } from '../../domain/arn.js';
import {
  type Alias,
  AliasSchema,
  type CodeRef,
  type FunctionRecord,
  type FunctionVersion,
  FunctionVersionSchema,
} from '../../domain/function.js';
import type { CodeReferences, FunctionStore, ValueCipher } from '../ports.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  name: string;
  tags: string;
  created_at: number;
  next_version: number;
  config: string;
}

const SELECT = `SELECT f.name, f.tags, f.created_at, f.next_version, v.config
  FROM functions f JOIN function_versions v ON v.name = f.name AND v.version = '${LATEST}'`;

/**
 * Functions, their versions (`$LATEST` and published ones, one JSON row each) and aliases.
 * Environment variables are sealed with the {@link ValueCipher} before they reach the database.
 */
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
  readonly #versionsOf;
  readonly #aliasesOf;
  readonly #setNextVersion;
  readonly #deleteVersion;
  readonly #updateVersionIf;
  readonly #insertAlias;
  readonly #updateAliasIf;
  readonly #deleteAlias;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly cipher?: ValueCipher,
  ) {
    this.#getStmt = db.prepare<[string], Row>(`${SELECT} WHERE f.name = ?`);
    this.#listStmt = db.prepare<[string, number], Row>(`${SELECT} WHERE f.name > ? ORDER BY f.name LIMIT ?`);
    this.#countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM functions');
    this.#insertFn = db.prepare(
      'INSERT OR IGNORE INTO functions (name, tags, created_at, next_version) VALUES (?, ?, ?, ?)',
    );
    this.#insertVersion = db.prepare(
      'INSERT OR IGNORE INTO function_versions (name, version, revision_id, config) VALUES (?, ?, ?, ?)',
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
    this.#versionsOf = db.prepare<[string], { config: string }>(
      `SELECT config FROM function_versions WHERE name = ? AND version != '${LATEST}'
       ORDER BY CAST(version AS INTEGER)`,
    );
    this.#aliasesOf = db.prepare<[string], { config: string }>(
      'SELECT config FROM function_aliases WHERE name = ? ORDER BY alias',
    );
    this.#setNextVersion = db.prepare('UPDATE functions SET next_version = ? WHERE name = ?');
    this.#deleteVersion = db.prepare(
      `DELETE FROM function_versions WHERE name = ? AND version = ? AND version != '${LATEST}'`,
    );
    this.#updateVersionIf = db.prepare(
      `UPDATE function_versions SET revision_id = ?, config = ?
       WHERE name = ? AND version = ? AND version != '${LATEST}' AND revision_id = ?`,
    );
    this.#insertAlias = db.prepare(
      'INSERT OR IGNORE INTO function_aliases (name, alias, revision_id, config) VALUES (?, ?, ?, ?)',
    );
    this.#updateAliasIf = db.prepare(
      'UPDATE function_aliases SET revision_id = ?, config = ? WHERE name = ? AND alias = ? AND revision_id = ?',
    );
    this.#deleteAlias = db.prepare('DELETE FROM function_aliases WHERE name = ? AND alias = ?');
  }

  async get(name: string): Promise<FunctionRecord | undefined> {
    const row = this.#getStmt.get(name);
    return row && this.#toRecord(row);
  }

  async list(options: { afterName?: string; limit: number }): Promise<FunctionRecord[]> {
    return this.#listStmt.all(options.afterName ?? '', options.limit).map((r) => this.#toRecord(r));
  }

  async count(): Promise<number> {
    return this.#countStmt.get()!.n;
  }

  async create(record: FunctionRecord): Promise<boolean> {
    return this.db.transaction(() => {
      const r = this.#insertFn.run(
        record.name,
        JSON.stringify(record.tags),
        record.createdAt,
        record.nextVersion,
      );
      if (r.changes === 0) return false;
      const v = record.latest;
      this.#insertVersion.run(v.name, v.version, v.revisionId, this.#serialise(v));
      for (const p of record.versions)
        this.#insertVersion.run(p.name, p.version, p.revisionId, this.#serialise(p));
      return true;
    })();
  }

  async updateLatest(latest: FunctionVersion, expectedRevisionId?: string): Promise<boolean> {
    const config = this.#serialise(latest);
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

  async insertVersion(version: FunctionVersion, nextVersion: number): Promise<boolean> {
    return this.db.transaction(() => {
      const r = this.#insertVersion.run(
        version.name,
        version.version,
        version.revisionId,
        this.#serialise(version),
      );
      if (r.changes === 0) return false;
      this.#setNextVersion.run(nextVersion, version.name);
      return true;
    })();
  }

  async deleteVersion(name: string, version: string): Promise<boolean> {
    return this.#deleteVersion.run(name, version).changes === 1;
  }

  async updateVersion(version: FunctionVersion, expectedRevisionId: string): Promise<boolean> {
    const config = this.#serialise(version);
    const r = this.#updateVersionIf.run(
      version.revisionId,
      config,
      version.name,
      version.version,
      expectedRevisionId,
    );
    return r.changes === 1;
  }

  async putAlias(
    functionName: string,
    alias: Alias,
    condition: { create: true } | { expectedRevisionId: string },
  ): Promise<boolean> {
    const config = JSON.stringify(alias);
    const r =
      'create' in condition
        ? this.#insertAlias.run(functionName, alias.name, alias.revisionId, config)
        : this.#updateAliasIf.run(
            alias.revisionId,
            config,
            functionName,
            alias.name,
            condition.expectedRevisionId,
          );
    return r.changes === 1;
  }

  async deleteAlias(functionName: string, aliasName: string): Promise<boolean> {
    return this.#deleteAlias.run(functionName, aliasName).changes === 1;
  }

  async referencedCode(): Promise<CodeReferences> {
    const refs: CodeReferences = { blobKeys: new Set(), imageKeys: new Set(), totalCodeSize: 0 };
    const addCode = (c: CodeRef) => {
      if (!refs.blobKeys.has(c.blobKey)) refs.totalCodeSize += c.size;
      refs.blobKeys.add(c.blobKey);
      refs.imageKeys.add(c.imageKey);
      if (c.sourceImageKey) refs.imageKeys.add(c.sourceImageKey);
    };
    for (const { config } of this.#allConfigs.iterate()) {
      const v = this.#parse(config);
      addCode(v.code);
      if (v.pendingCode) addCode(v.pendingCode);
      if (v.optImageKey) refs.imageKeys.add(v.optImageKey);
      // Layer content stays as long as a function version uses it, even after DeleteLayerVersion.
      for (const l of v.layers) {
        refs.blobKeys.add(l.blobKey);
        refs.imageKeys.add(l.imageKey);
      }
    }
    return refs;
  }

  #serialise(v: FunctionVersion): string {
    if (!this.cipher || Object.keys(v.environment).length === 0) return JSON.stringify(v);
    const sealedEnvironment = this.cipher.seal(JSON.stringify(v.environment));
    return JSON.stringify({ ...v, environment: {}, sealedEnvironment });
  }

  #parse(json: string): FunctionVersion {
    const raw = JSON.parse(json) as Record<string, unknown>;
    if (typeof raw.sealedEnvironment === 'string') {
      if (!this.cipher) throw new Error('a sealed environment needs the data dir secret to open');
      raw.environment = JSON.parse(this.cipher.open(raw.sealedEnvironment));
      delete raw.sealedEnvironment;
    }
    return FunctionVersionSchema.parse(raw);
  }

  #toRecord(row: Row): FunctionRecord {
    return {
      name: row.name,
      tags: JSON.parse(row.tags) as Record<string, string>,
      createdAt: row.created_at,
      latest: this.#parse(row.config),
      versions: this.#versionsOf.all(row.name).map((r) => this.#parse(r.config)),
      aliases: this.#aliasesOf.all(row.name).map((r) => AliasSchema.parse(JSON.parse(r.config))),
      nextVersion: row.next_version,
    };
  }
}
