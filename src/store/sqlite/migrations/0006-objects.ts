/**
 * The object store (S3 API): buckets, objects, multipart uploads, blob reference counts and the
 * outbox of bucket notifications. Object bytes live in content-addressed files; `s3_blobs` counts
 * the objects and parts that use each one, so shared bytes are reclaimed only when unused.
 */
export const OBJECTS = {
  id: '0006-objects',
  sql: `
  CREATE TABLE s3_buckets (
    name          TEXT PRIMARY KEY,
    region        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    notification  TEXT
  ) STRICT;

  CREATE TABLE s3_blobs (
    sha256  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    refs    INTEGER NOT NULL CHECK (refs > 0)
  ) STRICT;

  -- key uses SQLite's BINARY collation: UTF-8 byte order, the order S3 lists keys in.
  CREATE TABLE s3_objects (
    bucket         TEXT NOT NULL REFERENCES s3_buckets(name),
    key            TEXT NOT NULL,
    size           INTEGER NOT NULL,
    etag           TEXT NOT NULL,
    last_modified  INTEGER NOT NULL,
    segments       TEXT NOT NULL,
    parts_count    INTEGER,
    headers        TEXT NOT NULL,
    checksum       TEXT,
    PRIMARY KEY (bucket, key)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE s3_uploads (
    upload_id      TEXT PRIMARY KEY,
    bucket         TEXT NOT NULL REFERENCES s3_buckets(name),
    key            TEXT NOT NULL,
    initiated_at   INTEGER NOT NULL,
    headers        TEXT NOT NULL,
    checksum_algorithm TEXT,
    checksum_type  TEXT
  ) STRICT;
  CREATE INDEX s3_uploads_bucket_key ON s3_uploads(bucket, key);

  CREATE TABLE s3_parts (
    upload_id      TEXT NOT NULL REFERENCES s3_uploads(upload_id),
    part_number    INTEGER NOT NULL,
    sha256         TEXT,
    size           INTEGER NOT NULL,
    etag           TEXT NOT NULL,
    last_modified  INTEGER NOT NULL,
    checksum       TEXT,
    PRIMARY KEY (upload_id, part_number)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE s3_event_outbox (
    id            INTEGER PRIMARY KEY,
    function_arn  TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  `,
};
