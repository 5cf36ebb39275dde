/** Event source mappings (SQS queues, PostgreSQL tables → functions) and their positions. */
export const EVENT_SOURCE_MAPPINGS = {
  id: '0004-event-source-mappings',
  sql: `
  CREATE TABLE event_source_mappings (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             TEXT NOT NULL UNIQUE,
    function_name    TEXT NOT NULL,
    event_source_arn TEXT NOT NULL,
    config           TEXT NOT NULL,
    checkpoint       TEXT
  ) STRICT;
  CREATE INDEX event_source_mappings_function ON event_source_mappings(function_name);
  `,
};
