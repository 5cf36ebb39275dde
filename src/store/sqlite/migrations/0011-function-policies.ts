/** Resource-based policies (AddPermission/RemovePermission), per function and qualifier. */
export const FUNCTION_POLICIES = {
  id: '0011-function-policies',
  sql: `
  CREATE TABLE function_policies (
    function    TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
    qualifier   TEXT NOT NULL,
    statements  TEXT NOT NULL,
    PRIMARY KEY (function, qualifier)
  ) STRICT;
  `,
};
