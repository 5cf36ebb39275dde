import { type PendingDelivery, type Schedule, ScheduleConfigSchema } from '../../schedules/schedule.js';
import type { ScheduleQuery, ScheduleStore } from '../schedule-ports.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  group_name: string;
  name: string;
  arn: string;
  config: string;
  created_at: number;
  updated_at: number;
  anchor: number;
  cursor: number;
}

interface DeliveryRow {
  request_id: string;
  schedule_arn: string;
  target_arn: string;
  slot: number;
  payload: Buffer;
  attempts: number;
  max_attempts: number;
  max_age_ms: number;
  dead_letter_arn: string | null;
}

const toSchedule = (r: Row): Schedule => ({
  group: r.group_name,
  name: r.name,
  arn: r.arn,
  config: ScheduleConfigSchema.parse(JSON.parse(r.config)),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  anchor: r.anchor,
  cursor: r.cursor,
});

const toDelivery = (r: DeliveryRow): PendingDelivery => ({
  requestId: r.request_id,
  scheduleArn: r.schedule_arn,
  targetArn: r.target_arn,
  slot: r.slot,
  payload: r.payload,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  maxAgeMs: r.max_age_ms,
  ...(r.dead_letter_arn === null ? {} : { deadLetterArn: r.dead_letter_arn }),
});

const params = (s: Schedule) => ({
  group: s.group,
  name: s.name,
  arn: s.arn,
  state: s.config.State,
  config: JSON.stringify(s.config),
  created: s.createdAt,
  updated: s.updatedAt,
  anchor: s.anchor,
  cursor: s.cursor,
});

export class SqliteScheduleStore implements ScheduleStore {
  readonly #s;
  readonly #fire;

  constructor(private readonly db: SqliteDatabase) {
    this.#s = {
      get: db.prepare<[string, string], Row>('SELECT * FROM schedules WHERE group_name = ? AND name = ?'),
      all: db.prepare<[], Row>('SELECT * FROM schedules ORDER BY group_name, name'),
      insert: db.prepare(
        `INSERT INTO schedules (group_name, name, arn, state, config, created_at, updated_at, anchor, cursor)
         VALUES (@group, @name, @arn, @state, @config, @created, @updated, @anchor, @cursor)
         ON CONFLICT DO NOTHING`,
      ),
      replace: db.prepare(
        `UPDATE schedules SET state = @state, config = @config, updated_at = @updated, anchor = @anchor,
           cursor = @cursor WHERE group_name = @group AND name = @name`,
      ),
      remove: db.prepare('DELETE FROM schedules WHERE group_name = ? AND name = ?'),
      advance: db.prepare('UPDATE schedules SET cursor = max(cursor, ?) WHERE group_name = ? AND name = ?'),
      claim: db.prepare('UPDATE schedules SET cursor = ? WHERE group_name = ? AND name = ? AND cursor < ?'),
      keep: db.prepare(
        `INSERT INTO schedule_deliveries (request_id, schedule_arn, target_arn, slot, payload, attempts,
           max_attempts, max_age_ms, dead_letter_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      pending: db.prepare<[], DeliveryRow>('SELECT * FROM schedule_deliveries ORDER BY slot'),
      delivered: db.prepare('DELETE FROM schedule_deliveries WHERE request_id = ?'),
      attempted: db.prepare('UPDATE schedule_deliveries SET attempts = ? WHERE request_id = ?'),
    };
    this.#fire = db.transaction((group: string, name: string, slot: number, d: PendingDelivery): boolean => {
      if (this.#s.claim.run(slot, group, name, slot).changes === 0) return false;
      this.#s.keep.run(
        d.requestId,
        d.scheduleArn,
        d.targetArn,
        d.slot,
        d.payload,
        d.attempts,
        d.maxAttempts,
        d.maxAgeMs,
        d.deadLetterArn ?? null,
      );
      return true;
    });
  }

  get(group: string, name: string): Schedule | undefined {
    const r = this.#s.get.get(group, name);
    return r && toSchedule(r);
  }

  list(q: ScheduleQuery): Schedule[] {
    const where: string[] = [];
    const p: Record<string, unknown> = { limit: q.limit };
    if (q.group !== undefined) {
      where.push('group_name = @group');
      p.group = q.group;
    }
    if (q.namePrefix !== undefined) {
      where.push("name LIKE @prefix ESCAPE '\\'");
      p.prefix = `${q.namePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (q.state !== undefined) {
      where.push('state = @state');
      p.state = q.state;
    }
    if (q.afterName !== undefined) {
      where.push('(group_name || char(0) || name) > @after');
      p.after = q.afterName;
    }
    const sql = `SELECT * FROM schedules ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY group_name || char(0) || name LIMIT @limit`;
    return this.db
      .prepare(sql)
      .all(p)
      .map((r) => toSchedule(r as Row));
  }

  all(): Schedule[] {
    return this.#s.all.all().map(toSchedule);
  }

  insert(s: Schedule): boolean {
    return this.#s.insert.run(params(s)).changes === 1;
  }

  replace(s: Schedule): boolean {
    return this.#s.replace.run(params(s)).changes === 1;
  }

  remove(group: string, name: string): boolean {
    return this.#s.remove.run(group, name).changes === 1;
  }

  advance(group: string, name: string, cursor: number): void {
    this.#s.advance.run(cursor, group, name);
  }

  fire(group: string, name: string, slot: number, delivery: PendingDelivery): boolean {
    return this.#fire(group, name, slot, delivery);
  }

  pending(): PendingDelivery[] {
    return this.#s.pending.all().map(toDelivery);
  }

  delivered(requestId: string): void {
    this.#s.delivered.run(requestId);
  }

  attempted(requestId: string, attempts: number): void {
    this.#s.attempted.run(attempts, requestId);
  }
}
