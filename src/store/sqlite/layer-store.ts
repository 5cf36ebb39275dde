import { type LayerVersion, LayerVersionSchema } from '../../domain/layer.js';
import type { CodeReferences, LayerStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

export class SqliteLayerStore implements LayerStore {
  readonly #next;
  readonly #advance;
  readonly #insert;
  readonly #get;
  readonly #versions;
  readonly #latest;
  readonly #delete;
  readonly #all;

  constructor(private readonly db: SqliteDatabase) {
    this.#next = db.prepare<[string], { next_version: number }>(
      'SELECT next_version FROM layers WHERE name = ?',
    );
    this.#advance = db.prepare(
      `INSERT INTO layers (name, next_version) VALUES (?, 2)
       ON CONFLICT(name) DO UPDATE SET next_version = next_version + 1`,
    );
    this.#insert = db.prepare('INSERT INTO layer_versions (name, version, config) VALUES (?, ?, ?)');
    this.#get = db.prepare<[string, number], { config: string }>(
      'SELECT config FROM layer_versions WHERE name = ? AND version = ?',
    );
    this.#versions = db.prepare<[string, number, number], { config: string }>(
      'SELECT config FROM layer_versions WHERE name = ? AND version < ? ORDER BY version DESC LIMIT ?',
    );
    this.#latest = db.prepare<[string, number], { config: string }>(
      `SELECT lv.config FROM layer_versions lv
       JOIN (SELECT name, max(version) AS version FROM layer_versions WHERE name > ? GROUP BY name) m
         ON m.name = lv.name AND m.version = lv.version
       ORDER BY lv.name LIMIT ?`,
    );
    this.#delete = db.prepare('DELETE FROM layer_versions WHERE name = ? AND version = ?');
    this.#all = db.prepare<[], { config: string }>('SELECT config FROM layer_versions');
  }

  async publish(name: string, make: (version: number) => LayerVersion): Promise<LayerVersion> {
    return this.db.transaction(() => {
      const version = this.#next.get(name)?.next_version ?? 1;
      this.#advance.run(name);
      const layer = make(version);
      this.#insert.run(name, version, JSON.stringify(layer));
      return layer;
    })();
  }

  async get(name: string, version: number): Promise<LayerVersion | undefined> {
    const row = this.#get.get(name, version);
    return row && parse(row.config);
  }

  async versions(name: string, o: { beforeVersion?: number; limit: number }): Promise<LayerVersion[]> {
    return this.#versions
      .all(name, o.beforeVersion ?? Number.MAX_SAFE_INTEGER, o.limit)
      .map((r) => parse(r.config));
  }

  async latestVersions(o: { afterName?: string; limit: number }): Promise<LayerVersion[]> {
    return this.#latest.all(o.afterName ?? '', o.limit).map((r) => parse(r.config));
  }

  async delete(name: string, version: number): Promise<boolean> {
    return this.#delete.run(name, version).changes === 1;
  }

  async referencedCode(): Promise<CodeReferences> {
    const refs: CodeReferences = { blobKeys: new Set(), imageKeys: new Set(), totalCodeSize: 0 };
    for (const { config } of this.#all.iterate()) {
      const l = parse(config);
      if (!refs.blobKeys.has(l.code.blobKey)) refs.totalCodeSize += l.code.size;
      refs.blobKeys.add(l.code.blobKey);
      refs.imageKeys.add(l.code.imageKey);
    }
    return refs;
  }
}

function parse(json: string): LayerVersion {
  return LayerVersionSchema.parse(JSON.parse(json));
}
