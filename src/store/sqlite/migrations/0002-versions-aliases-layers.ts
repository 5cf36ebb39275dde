/** Published versions (numbered per function, never reused), aliases and layers. */
export const VERSIONS_ALIASES_LAYERS = {
  id: '0002-versions-aliases-layers',
  sql: `
  ALTER TABLE functions ADD COLUMN next_version INTEGER NOT NULL DEFAULT 1;

  CREATE TABLE function_aliases (
    name        TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    config      TEXT NOT NULL,
    PRIMARY KEY (name, alias)
  ) STRICT;

  -- One row per layer name ever published: version numbers continue after deletions.
  CREATE TABLE layers (
    name         TEXT PRIMARY KEY,
    next_version INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE layer_versions (
    name        TEXT NOT NULL REFERENCES layers(name),
    version     INTEGER NOT NULL,
    config      TEXT NOT NULL,
    PRIMARY KEY (name, version)
  ) STRICT;
  `,
};
