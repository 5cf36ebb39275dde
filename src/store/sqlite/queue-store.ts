import { z } from 'zod';
import type { MessageAttributes } from '../../queues/message-digest.js';
import type {
  DeleteOutcome,
  NewMessage,
  QueueRecord,
  QueueStats,
  ReceiveQuery,
  SentMessage,
  StoredMessage,
  VisibilityOutcome,
} from '../../queues/queue-model.js';
import { newReceiptToken } from '../../queues/receipt-handle.js';
import type { QueueStore } from '../ports.js';
import type { SqliteDatabase } from './database.js';

interface QueueRow {
  id: number;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
  last_purged_at: number | null;
}

interface MessageRow {
  seq: number;
  queue_id: number;
  message_id: string;
  body: string;
  attributes: string | null;
  system_attributes: string | null;
  md5_body: string;
  md5_attributes: string | null;
  md5_system: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  token: string | null;
  group_id: string | null;
  dedup_id: string | null;
}

const StringMap = z.record(z.string(), z.string());
/** Message attributes as stored: binary values in base64. */
const StoredAttributes = z.record(
  z.string(),
  z.object({ DataType: z.string(), StringValue: z.string().optional(), BinaryValue: z.string().optional() }),
);

function encodeAttributes(a: MessageAttributes): string | null {
  const names = Object.keys(a);
  if (names.length === 0) return null;
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const n of names) {
    const v = a[n]!;
    out[n] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue.toString('base64') } : {}),
    };
  }
  return JSON.stringify(out);
}

function decodeAttributes(text: string | null): MessageAttributes {
  if (text === null) return {};
  const parsed = StoredAttributes.parse(JSON.parse(text));
  const out: MessageAttributes = {};
  for (const [n, v] of Object.entries(parsed)) {
    out[n] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: Buffer.from(v.BinaryValue, 'base64') } : {}),
    };
  }
  return out;
}

function toQueue(r: QueueRow): QueueRecord {
  return {
    id: r.id,
    name: r.name,
    fifo: r.fifo === 1,
    attributes: StringMap.parse(JSON.parse(r.attributes)),
    tags: StringMap.parse(JSON.parse(r.tags)),
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    ...(r.last_purged_at === null ? {} : { lastPurgedAt: r.last_purged_at }),
  };
}

function toMessage(r: MessageRow): StoredMessage {
  return {
    seq: r.seq,
    queueId: r.queue_id,
    messageId: r.message_id,
    body: r.body,
    attributes: decodeAttributes(r.attributes),
    systemAttributes: decodeAttributes(r.system_attributes),
    md5OfBody: r.md5_body,
    ...(r.md5_attributes === null ? {} : { md5OfAttributes: r.md5_attributes }),
    ...(r.md5_system === null ? {} : { md5OfSystemAttributes: r.md5_system }),
    senderId: r.sender_id,
    sentAt: r.sent_at,
    visibleAt: r.visible_at,
    receiveCount: r.receive_count,
    ...(r.first_received_at === null ? {} : { firstReceivedAt: r.first_received_at }),
    ...(r.token === null ? {} : { token: r.token }),
    ...(r.group_id === null ? {} : { groupId: r.group_id }),
    ...(r.dedup_id === null ? {} : { dedupId: r.dedup_id }),
  };
}

/**
 * A queue's counts and oldest send times (`GetQueueAttributes`, `/metrics`). Each part is one
 * range of a covering index (migration 0012), so no message row is read: expired messages (not
 * yet deleted by a receive) are counted apart and taken off.
 */
export const QUEUE_STATS_SQL = `SELECT
  (SELECT count(*) FROM sqs_messages INDEXED BY sqs_messages_visible
    WHERE queue_id = @queueId AND visible_at <= @now) AS visible,
  (SELECT count(*) FROM sqs_messages INDEXED BY sqs_messages_visible
    WHERE queue_id = @queueId AND visible_at > @now) AS invisible,
  (SELECT count(*) FROM sqs_messages INDEXED BY sqs_messages_sent
    WHERE queue_id = @queueId AND sent_at <= @expired AND visible_at <= @now) AS expired_visible,
  (SELECT count(*) FROM sqs_messages INDEXED BY sqs_messages_sent
    WHERE queue_id = @queueId AND sent_at <= @expired AND visible_at > @now) AS expired_invisible,
  (SELECT count(*) FROM sqs_messages INDEXED BY sqs_messages_received
    WHERE queue_id = @queueId AND visible_at > @now AND sent_at > @expired
      AND token IS NOT NULL) AS in_flight,
  (SELECT min(sent_at) FROM sqs_messages INDEXED BY sqs_messages_sent
    WHERE queue_id = @queueId AND sent_at > @expired) AS oldest,
  (SELECT min(sent_at) FROM sqs_messages INDEXED BY sqs_messages_sent
    WHERE queue_id = @queueId AND sent_at > @expired AND visible_at <= @now) AS oldest_visible`;

/**
 * Queues and messages in SQLite. Every operation that changes messages runs in one transaction,
 * so a receive either hands a message to exactly one caller or to none.
 */
export class SqliteQueueStore implements QueueStore {
  readonly #s;

  constructor(private readonly db: SqliteDatabase) {
    this.#s = {
      insertQueue: db.prepare(
        `INSERT INTO sqs_queues (name, fifo, attributes, tags, created_at, modified_at)
         VALUES (@name, @fifo, @attributes, @tags, @createdAt, @modifiedAt) ON CONFLICT(name) DO NOTHING`,
      ),
      queueByName: db.prepare<[string], QueueRow>('SELECT * FROM sqs_queues WHERE name = ?'),
      queueById: db.prepare<[number], QueueRow>('SELECT * FROM sqs_queues WHERE id = ?'),
      deleteQueue: db.prepare('DELETE FROM sqs_queues WHERE id = ?'),
      insertMessage: db.prepare(
        `INSERT INTO sqs_messages (queue_id, message_id, body, attributes, system_attributes, md5_body,
           md5_attributes, md5_system, sender_id, sent_at, visible_at, group_id, dedup_id)
         VALUES (@queueId, @messageId, @body, @attributes, @systemAttributes, @md5Body, @md5Attributes,
           @md5System, @senderId, @sentAt, @visibleAt, @groupId, @dedupId)`,
      ),
      dedupExpire: db.prepare('DELETE FROM sqs_dedup WHERE queue_id = ? AND expires_at <= ?'),
      dedupGet: db.prepare<[number, string], { message_id: string; seq: number }>(
        'SELECT message_id, seq FROM sqs_dedup WHERE queue_id = ? AND dedup_key = ?',
      ),
      dedupPut: db.prepare(
        'INSERT INTO sqs_dedup (queue_id, dedup_key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      expire: db.prepare('DELETE FROM sqs_messages WHERE queue_id = ? AND sent_at <= ?'),
      visible: db.prepare<[number, number, number], MessageRow>(
        'SELECT * FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?',
      ),
      visibleBySeq: db.prepare<[number, number, number], MessageRow>(
        'SELECT * FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY seq LIMIT ?',
      ),
      busyGroups: db.prepare<[number, number], { group_id: string }>(
        `SELECT DISTINCT group_id FROM sqs_messages
         WHERE queue_id = ? AND visible_at > ? AND token IS NOT NULL AND group_id IS NOT NULL`,
      ),
      markReceived: db.prepare(
        `UPDATE sqs_messages SET visible_at = @visibleAt, receive_count = receive_count + 1,
           first_received_at = coalesce(first_received_at, @now), token = @token WHERE seq = @seq`,
      ),
      moveToDeadLetter: db.prepare(
        'UPDATE sqs_messages SET queue_id = ?, visible_at = ?, token = NULL WHERE seq = ?',
      ),
      deleteMessage: db.prepare('DELETE FROM sqs_messages WHERE seq = ? AND queue_id = ? AND token = ?'),
      changeVisibility: db.prepare(
        `UPDATE sqs_messages SET visible_at = ? WHERE seq = ? AND queue_id = ? AND token = ? AND visible_at > ?`,
      ),
      purge: db.prepare('DELETE FROM sqs_messages WHERE queue_id = ?'),
      stats: db.prepare<
        { now: number; queueId: number; expired: number },
        {
          visible: number;
          invisible: number;
          expired_visible: number;
          expired_invisible: number;
          in_flight: number;
          oldest: number | null;
          oldest_visible: number | null;
        }
      >(QUEUE_STATS_SQL),
      nextVisible: db.prepare<[number, number], { at: number | null }>(
        'SELECT min(visible_at) AS at FROM sqs_messages WHERE queue_id = ? AND visible_at > ?',
      ),
      allQueues: db.prepare<[], QueueRow>('SELECT * FROM sqs_queues ORDER BY name'),
    };
  }

  async createQueue(q: Omit<QueueRecord, 'id'>): Promise<QueueRecord | undefined> {
    const r = this.#s.insertQueue.run({
      name: q.name,
      fifo: q.fifo ? 1 : 0,
      attributes: JSON.stringify(q.attributes),
      tags: JSON.stringify(q.tags),
      createdAt: q.createdAt,
      modifiedAt: q.modifiedAt,
    });
    if (r.changes === 0) return undefined;
    return { ...q, id: Number(r.lastInsertRowid) };
  }

  async getQueue(name: string): Promise<QueueRecord | undefined> {
    const r = this.#s.queueByName.get(name);
    return r && toQueue(r);
  }

  async getQueueById(id: number): Promise<QueueRecord | undefined> {
    const r = this.#s.queueById.get(id);
    return r && toQueue(r);
  }

  async listQueues(o: { prefix?: string; afterName?: string; limit: number }): Promise<QueueRecord[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: o.limit };
    if (o.prefix) {
      // substr, not LIKE: names may contain `_`, which LIKE treats as a wildcard.
      where.push('substr(name, 1, length(@prefix)) = @prefix');
      params.prefix = o.prefix;
    }
    if (o.afterName !== undefined) {
      where.push('name > @after');
      params.after = o.afterName;
    }
    const sql = `SELECT * FROM sqs_queues ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as QueueRow[]).map(toQueue);
  }

  async updateQueue(
    id: number,
    patch: {
      attributes?: Record<string, string>;
      modifiedAt?: number;
      lastPurgedAt?: number;
      tags?: Record<string, string>;
    },
  ): Promise<void> {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id };
    if (patch.attributes) {
      sets.push('attributes = @attributes');
      params.attributes = JSON.stringify(patch.attributes);
    }
    if (patch.tags) {
      sets.push('tags = @tags');
      params.tags = JSON.stringify(patch.tags);
    }
    if (patch.modifiedAt !== undefined) {
      sets.push('modified_at = @modifiedAt');
      params.modifiedAt = patch.modifiedAt;
    }
    if (patch.lastPurgedAt !== undefined) {
      sets.push('last_purged_at = @lastPurgedAt');
      params.lastPurgedAt = patch.lastPurgedAt;
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE sqs_queues SET ${sets.join(', ')} WHERE id = @id`).run(params);
  }

  async deleteQueue(id: number): Promise<void> {
    this.#s.deleteQueue.run(id);
  }

  async send(
    queueId: number,
    messages: readonly (NewMessage & { dedupKey?: string })[],
    dedupWindowMs: number,
  ): Promise<SentMessage[]> {
    return this.db.transaction(() => {
      const now = messages[0]?.sentAt ?? 0;
      if (messages.some((m) => m.dedupKey !== undefined)) this.#s.dedupExpire.run(queueId, now);
      const out: SentMessage[] = [];
      for (const m of messages) {
        if (m.dedupKey !== undefined) {
          const seen = this.#s.dedupGet.get(queueId, m.dedupKey);
          if (seen) {
            out.push({ messageId: seen.message_id, seq: seen.seq, duplicate: true });
            continue;
          }
        }
        const r = this.#s.insertMessage.run({
          queueId,
          messageId: m.messageId,
          body: m.body,
          attributes: encodeAttributes(m.attributes),
          systemAttributes: encodeAttributes(m.systemAttributes),
          md5Body: m.md5OfBody,
          md5Attributes: m.md5OfAttributes ?? null,
          md5System: m.md5OfSystemAttributes ?? null,
          senderId: m.senderId,
          sentAt: m.sentAt,
          visibleAt: m.visibleAt,
          groupId: m.groupId ?? null,
          dedupId: m.dedupId ?? null,
        });
        const seq = Number(r.lastInsertRowid);
        if (m.dedupKey !== undefined) {
          this.#s.dedupPut.run(queueId, m.dedupKey, m.messageId, seq, m.sentAt + dedupWindowMs);
        }
        out.push({ messageId: m.messageId, seq, duplicate: false });
      }
      return out;
    })();
  }

  async receive(q: ReceiveQuery): Promise<StoredMessage[]> {
    return this.db.transaction(() => {
      this.#s.expire.run(q.queueId, q.now - q.retentionMs);
      const taken: StoredMessage[] = [];
      // Messages moved to the dead-letter queue free their place; look again until full or empty.
      for (;;) {
        const candidates = this.#candidates(q, q.max - taken.length);
        if (candidates.length === 0) break;
        let moved = 0;
        for (const row of candidates) {
          if (q.redrive && row.receive_count >= q.redrive.maxReceiveCount) {
            this.#s.moveToDeadLetter.run(q.redrive.deadLetterQueueId, q.now, row.seq);
            moved++;
            continue;
          }
          const token = newReceiptToken();
          const visibleAt = q.now + q.visibilityMs;
          this.#s.markReceived.run({ visibleAt, now: q.now, token, seq: row.seq });
          taken.push({
            ...toMessage(row),
            visibleAt,
            receiveCount: row.receive_count + 1,
            firstReceivedAt: row.first_received_at ?? q.now,
            token,
          });
        }
        if (moved === 0 || taken.length >= q.max) break;
      }
      return taken;
    })();
  }

  /** Visible messages to hand out; FIFO: in order, skipping groups that have a message in flight. */
  #candidates(q: ReceiveQuery, max: number): MessageRow[] {
    if (!q.fifo) return this.#s.visible.all(q.queueId, q.now, max);
    const busy = new Set(this.#s.busyGroups.all(q.queueId, q.now).map((r) => r.group_id));
    const out: MessageRow[] = [];
    for (const row of this.#s.visibleBySeq.all(q.queueId, q.now, max + 1000)) {
      if (row.group_id !== null && busy.has(row.group_id)) continue;
      out.push(row);
      if (out.length >= max) break;
    }
    return out;
  }

  async deleteMessage(queueId: number, seq: number, token: string): Promise<DeleteOutcome> {
    return this.#s.deleteMessage.run(seq, queueId, token).changes > 0 ? 'deleted' : 'stale';
  }

  async changeVisibility(
    queueId: number,
    seq: number,
    token: string,
    visibleAt: number,
    now: number,
  ): Promise<VisibilityOutcome> {
    return this.#s.changeVisibility.run(visibleAt, seq, queueId, token, now).changes > 0
      ? 'changed'
      : 'not-inflight';
  }

  async purge(queueId: number): Promise<number> {
    return this.#s.purge.run(queueId).changes;
  }

  async stats(queueId: number, now: number, retentionMs: number): Promise<QueueStats> {
    // Messages past the retention period are only deleted by the next receive; they no longer count.
    const r = this.#s.stats.get({ now, queueId, expired: now - retentionMs })!;
    return {
      visible: r.visible - r.expired_visible,
      inFlight: r.in_flight,
      // Not visible and not received: DelaySeconds still running.
      delayed: r.invisible - r.expired_invisible - r.in_flight,
      ...(r.oldest === null ? {} : { oldestSentAt: r.oldest }),
      ...(r.oldest_visible === null ? {} : { oldestVisibleSentAt: r.oldest_visible }),
    };
  }

  async nextVisibleAt(queueId: number, now: number): Promise<number | undefined> {
    return this.#s.nextVisible.get(queueId, now)?.at ?? undefined;
  }

  async deadLetterSources(deadLetterArn: string): Promise<string[]> {
    return this.#s.allQueues
      .all()
      .map(toQueue)
      .filter((q) => {
        const p = q.attributes.RedrivePolicy;
        if (!p) return false;
        try {
          return (JSON.parse(p) as { deadLetterTargetArn?: string }).deadLetterTargetArn === deadLetterArn;
        } catch {
          return false;
        }
      })
      .map((q) => q.name);
  }
}
