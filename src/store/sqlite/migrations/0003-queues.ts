/** The built-in queue service: queues, their messages and FIFO deduplication ids. */
export const QUEUES = {
  id: '0003-queues',
  sql: `
  CREATE TABLE sqs_queues (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    fifo          INTEGER NOT NULL,
    attributes    TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL,
    last_purged_at INTEGER
  ) STRICT;

  CREATE TABLE sqs_messages (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id          INTEGER NOT NULL REFERENCES sqs_queues(id) ON DELETE CASCADE,
    message_id        TEXT NOT NULL,
    body              TEXT NOT NULL,
    attributes        TEXT,
    system_attributes TEXT,
    md5_body          TEXT NOT NULL,
    md5_attributes    TEXT,
    md5_system        TEXT,
    sender_id         TEXT NOT NULL,
    sent_at           INTEGER NOT NULL,
    visible_at        INTEGER NOT NULL,
    receive_count     INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    token             TEXT,
    group_id          TEXT,
    dedup_id          TEXT
  ) STRICT;
  CREATE INDEX sqs_messages_visible ON sqs_messages(queue_id, visible_at, seq);
  CREATE INDEX sqs_messages_sent ON sqs_messages(queue_id, sent_at);

  CREATE TABLE sqs_dedup (
    queue_id   INTEGER NOT NULL REFERENCES sqs_queues(id) ON DELETE CASCADE,
    dedup_key  TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (queue_id, dedup_key)
  ) STRICT;
  `,
};
