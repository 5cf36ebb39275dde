/**
 * Throttled invocations (they never run, so they leave no metering record) and the test events
 * saved per function from the console.
 */
export const CONSOLE = {
  id: '0007-console',
  sql: `
  CREATE TABLE throttles (
    function    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    reason      TEXT NOT NULL
  ) STRICT;
  CREATE INDEX throttles_function_at ON throttles(function, at);
  CREATE INDEX throttles_at ON throttles(at);

  CREATE TABLE test_events (
    function    TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    event       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (function, name)
  ) STRICT;
  `,
};
