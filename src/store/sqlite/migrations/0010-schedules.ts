/**
 * EventBridge Scheduler schedules, and the slots they fired that are not yet in the async queue.
 * `cursor` is the last slot done (fired or skipped): a slot is fired by moving the cursor and
 * inserting its delivery in one transaction, so no slot fires twice across restarts.
 */
export const SCHEDULES = {
  id: '0010-schedules',
  sql: `
  CREATE TABLE schedules (
    group_name  TEXT NOT NULL,
    name        TEXT NOT NULL,
    arn         TEXT NOT NULL,
    state       TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    anchor      INTEGER NOT NULL,
    cursor      INTEGER NOT NULL,
    PRIMARY KEY (group_name, name)
  ) STRICT;

  CREATE TABLE schedule_deliveries (
    request_id      TEXT PRIMARY KEY,
    schedule_arn    TEXT NOT NULL,
    target_arn      TEXT NOT NULL,
    slot            INTEGER NOT NULL,
    payload         BLOB NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL,
    max_age_ms      INTEGER NOT NULL,
    dead_letter_arn TEXT
  ) STRICT;
  `,
};
