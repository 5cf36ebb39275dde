import type { PendingDelivery, Schedule } from '../schedules/schedule.js';

export interface ScheduleQuery {
  group?: string | undefined;
  namePrefix?: string | undefined;
  state?: 'ENABLED' | 'DISABLED' | undefined;
  /** Names after this one (pagination). */
  afterName?: string | undefined;
  limit: number;
}

/**
 * Schedules and their fired-but-not-yet-queued slots. Every write is one SQLite transaction
 * committed before the call returns (durable against a kill of the process).
 */
export interface ScheduleStore {
  get(group: string, name: string): Schedule | undefined;
  /** Ordered by group, then name. */
  list(q: ScheduleQuery): Schedule[];
  all(): Schedule[];
  /** False when a schedule of that name already exists in the group. */
  insert(s: Schedule): boolean;
  /** Replaces configuration, anchor and cursor; false when the schedule does not exist. */
  replace(s: Schedule): boolean;
  remove(group: string, name: string): boolean;
  /** Moves the cursor forward (never back): slots up to `cursor` are skipped. */
  advance(group: string, name: string, cursor: number): void;
  /**
   * Records that `slot` fired: moves the cursor to it and keeps the delivery, in one transaction.
   * False (and nothing written) when the cursor is already at or past the slot.
   */
  fire(group: string, name: string, slot: number, delivery: PendingDelivery): boolean;
  pending(): PendingDelivery[];
  /** The delivery reached the queue (or was given up): forget it. */
  delivered(requestId: string): void;
  attempted(requestId: string, attempts: number): void;
}
