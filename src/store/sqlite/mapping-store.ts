import { type Mapping, MappingSchema } from '../../triggers/esm/mapping.js';
import type { EventSourceMappingStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  seq: number;
  config: string;
}

const toMapping = (r: Row): Mapping => MappingSchema.parse(JSON.parse(r.config));

export class SqliteMappingStore implements EventSourceMappingStore {
  readonly #s;

  constructor(private readonly db: SqliteDatabase) {
    this.#s = {
      insert: db.prepare(
        'INSERT INTO event_source_mappings (uuid, function_name, event_source_arn, config) VALUES (?, ?, ?, ?)',
      ),
      get: db.prepare<[string], Row>('SELECT seq, config FROM event_source_mappings WHERE uuid = ?'),
      all: db.prepare<[], Row>('SELECT seq, config FROM event_source_mappings ORDER BY seq'),
      update: db.prepare(
        'UPDATE event_source_mappings SET function_name = ?, event_source_arn = ?, config = ? WHERE uuid = ?',
      ),
      delete: db.prepare('DELETE FROM event_source_mappings WHERE uuid = ?'),
      loadCheckpoint: db.prepare<[string], { checkpoint: string | null }>(
        'SELECT checkpoint FROM event_source_mappings WHERE uuid = ?',
      ),
      saveCheckpoint: db.prepare('UPDATE event_source_mappings SET checkpoint = ? WHERE uuid = ?'),
    };
  }

  async create(m: Mapping): Promise<void> {
    this.#s.insert.run(m.uuid, m.functionName, m.eventSourceArn, JSON.stringify(m));
  }

  async get(uuid: string): Promise<Mapping | undefined> {
    const r = this.#s.get.get(uuid);
    return r && toMapping(r);
  }

  async list(o: {
    functionName?: string;
    eventSourceArn?: string;
    afterUuid?: string;
    limit: number;
  }): Promise<Mapping[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: o.limit };
    if (o.functionName !== undefined) {
      where.push('function_name = @functionName');
      params.functionName = o.functionName;
    }
    if (o.eventSourceArn !== undefined) {
      where.push('event_source_arn = @eventSourceArn');
      params.eventSourceArn = o.eventSourceArn;
    }
    if (o.afterUuid !== undefined) {
      where.push('seq > coalesce((SELECT seq FROM event_source_mappings WHERE uuid = @after), 0)');
      params.after = o.afterUuid;
    }
    const sql = `SELECT seq, config FROM event_source_mappings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as Row[]).map(toMapping);
  }

  async all(): Promise<Mapping[]> {
    return this.#s.all.all().map(toMapping);
  }

  async update(m: Mapping): Promise<void> {
    this.#s.update.run(m.functionName, m.eventSourceArn, JSON.stringify(m), m.uuid);
  }

  async delete(uuid: string): Promise<void> {
    this.#s.delete.run(uuid);
  }

  async loadCheckpoint(uuid: string): Promise<string | undefined> {
    return this.#s.loadCheckpoint.get(uuid)?.checkpoint ?? undefined;
  }

  /** What a restart resumes from; committed before the source confirms the position upstream. */
  async saveCheckpoint(uuid: string, value: string): Promise<void> {
    this.#s.saveCheckpoint.run(value, uuid);
  }
}
