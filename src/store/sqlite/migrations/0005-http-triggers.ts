/** Function URLs and HTTP APIs (routes, integrations, stages); each row's details are JSON. */
export const HTTP_TRIGGERS = {
  id: '0005-http-triggers',
  sql: `
  CREATE TABLE function_urls (
    url_id        TEXT PRIMARY KEY,
    function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    qualifier     TEXT NOT NULL,
    config        TEXT NOT NULL,
    UNIQUE (function_name, qualifier)
  ) STRICT;

  CREATE TABLE http_apis (
    api_id  TEXT PRIMARY KEY,
    config  TEXT NOT NULL
  ) STRICT;

  CREATE TABLE http_api_routes (
    api_id    TEXT NOT NULL REFERENCES http_apis(api_id) ON DELETE CASCADE,
    route_id  TEXT NOT NULL,
    config    TEXT NOT NULL,
    PRIMARY KEY (api_id, route_id)
  ) STRICT;

  CREATE TABLE http_api_integrations (
    api_id          TEXT NOT NULL REFERENCES http_apis(api_id) ON DELETE CASCADE,
    integration_id  TEXT NOT NULL,
    config          TEXT NOT NULL,
    PRIMARY KEY (api_id, integration_id)
  ) STRICT;

  CREATE TABLE http_api_stages (
    api_id      TEXT NOT NULL REFERENCES http_apis(api_id) ON DELETE CASCADE,
    stage_name  TEXT NOT NULL,
    config      TEXT NOT NULL,
    PRIMARY KEY (api_id, stage_name)
  ) STRICT;
  `,
};
