/** Reserved and provisioned concurrency per function (issue 4). */
export const CONCURRENCY = {
  id: '0009-concurrency',
  sql: `
  CREATE TABLE reserved_concurrency (
    function    TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
    reserved    INTEGER NOT NULL CHECK (reserved >= 0)
  ) STRICT;

  CREATE TABLE provisioned_concurrency (
    function      TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    qualifier     TEXT NOT NULL,
    requested     INTEGER NOT NULL CHECK (requested >= 1),
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (function, qualifier)
  ) STRICT;
  `,
};
