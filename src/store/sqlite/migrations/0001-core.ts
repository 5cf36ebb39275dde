/** Functions, their versions, function logs and metering records. */
export const CORE = {
  id: '0001-core',
  sql: `
  CREATE TABLE functions (
    name        TEXT PRIMARY KEY,
    tags        TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE function_versions (
    name        TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    version     TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    config      TEXT NOT NULL,
    PRIMARY KEY (name, version)
  ) STRICT;

  CREATE TABLE log_events (
    id          INTEGER PRIMARY KEY,
    function    TEXT NOT NULL,
    log_stream  TEXT NOT NULL,
    request_id  TEXT,
    ts          INTEGER NOT NULL,
    message     TEXT NOT NULL
  ) STRICT;
  CREATE INDEX log_events_function_ts ON log_events(function, ts);
  CREATE INDEX log_events_request ON log_events(request_id);

  CREATE TABLE invocations (
    request_id      TEXT NOT NULL,
    function        TEXT NOT NULL,
    version         TEXT NOT NULL,
    invocation_type TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    duration_ms     REAL NOT NULL,
    billed_ms       INTEGER NOT NULL,
    memory_mb       INTEGER NOT NULL,
    max_memory_mb   INTEGER NOT NULL,
    init_ms         REAL,
    cold            INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    error_type      TEXT,
    architecture    TEXT NOT NULL
  ) STRICT;
  CREATE INDEX invocations_function_started ON invocations(function, started_at);
  CREATE INDEX invocations_started ON invocations(started_at);
  `,
};
