/**
 * The durable queue of asynchronous events and the per-qualifier EventInvokeConfig. Both go with
 * their function (ON DELETE CASCADE): deleting a function discards its queue, as on Lambda.
 */
export const ASYNC_INVOKE = {
  id: '0008-async-invoke',
  sql: `
  CREATE TABLE async_events (
    seq                 INTEGER PRIMARY KEY,
    request_id          TEXT NOT NULL UNIQUE,
    function            TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    qualifier           TEXT,
    payload             BLOB NOT NULL,
    trace_id            TEXT,
    state               TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    backoffs            INTEGER NOT NULL DEFAULT 0,
    enqueued_at         INTEGER NOT NULL,
    due_at              INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    last_error          TEXT,
    last_status         INTEGER,
    last_function_error TEXT,
    last_response       BLOB,
    condition           TEXT
  ) STRICT;
  -- What the dispatcher reads: the oldest due waiting event of a function.
  CREATE INDEX async_events_waiting ON async_events(function, due_at, seq)
    WHERE state IN ('queued', 'retrying');
  CREATE INDEX async_events_function_state ON async_events(function, state, seq);
  CREATE INDEX async_events_in_flight ON async_events(seq) WHERE state = 'in-flight';
  CREATE INDEX async_events_succeeded ON async_events(updated_at) WHERE state = 'succeeded';

  CREATE TABLE event_invoke_configs (
    function      TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    qualifier     TEXT NOT NULL,
    config        TEXT NOT NULL,
    PRIMARY KEY (function, qualifier)
  ) STRICT;
  `,
};
