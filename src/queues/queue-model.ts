import type { MessageAttributes } from './message-digest.js';

/** A queue as stored. `attributes` holds only what was set; defaults are applied on read. */
export interface QueueRecord {
  id: number;
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Epoch milliseconds. */
  createdAt: number;
  modifiedAt: number;
  lastPurgedAt?: number;
}

export interface NewMessage {
  messageId: string;
  body: string;
  attributes: MessageAttributes;
  systemAttributes: MessageAttributes;
  md5OfBody: string;
  md5OfAttributes?: string;
  md5OfSystemAttributes?: string;
  senderId: string;
  sentAt: number;
  visibleAt: number;
  groupId?: string;
  dedupId?: string;
}

/** What SendMessage reports for one message (a FIFO duplicate reports the original). */
export interface SentMessage {
  messageId: string;
  seq: number;
  duplicate: boolean;
}

export interface StoredMessage extends NewMessage {
  queueId: number;
  /** Position in the store's global order; FIFO `SequenceNumber`s derive from it. */
  seq: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Token of the latest receive (part of the receipt handle). */
  token?: string;
}

export interface ReceiveQuery {
  queueId: number;
  now: number;
  max: number;
  visibilityMs: number;
  fifo: boolean;
  retentionMs: number;
  /** Messages already received `maxReceiveCount` times move to the dead-letter queue instead. */
  redrive?: { deadLetterQueueId: number; maxReceiveCount: number };
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  delayed: number;
  /** Send time of the oldest message still in the queue. */
  oldestSentAt?: number;
  /** Send time of the oldest message that is visible (waiting to be received). */
  oldestVisibleSentAt?: number;
}

/** SQS's wording for the outcome of deleting by receipt handle. */
export type DeleteOutcome = 'deleted' | 'stale';
export type VisibilityOutcome = 'changed' | 'not-inflight';
