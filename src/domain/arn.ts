import { invalidParameter, type LambdaError, notFound, validationError } from './errors.js';
import { FUNCTION_NAME_MAX } from './limits.js';

/** The region and account every Nimbus resource lives in (one installation = one account). */
export interface AccountScope {
  region: string;
  accountId: string;
}

export const LATEST = '$LATEST';

export const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;
/** `$LATEST`, a version number or an alias name. */
export const QUALIFIER_PATTERN = /^(\$LATEST|[a-zA-Z0-9-_]+)$/;

const ARN_PATTERN =
  /^arn:(aws[a-zA-Z-]*):lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const PARTIAL_ARN_PATTERN = /^(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const NAME_QUALIFIER_PATTERN = /^([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

export function functionArn(scope: AccountScope, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** A function reference as callers write it, resolved to name and optional qualifier. */
export interface FunctionRef {
  name: string;
  qualifier?: string;
}

/**
 * Resolves every identifier form Lambda accepts: `name`, `name:qualifier`, the partial ARN
 * `123456789012:function:name[:q]` and the full ARN. A qualifier in the name and one in the
 * `Qualifier` parameter must agree. ARNs of another account or region name no function here.
 */
export function parseFunctionRef(scope: AccountScope, raw: string, queryQualifier?: string): FunctionRef {
  const { name, qualifier: embedded } = splitIdentifier(scope, raw);
  let qualifier = embedded;
  if (name.length > FUNCTION_NAME_MAX) throw functionNameValidation(raw);
  if (queryQualifier !== undefined && queryQualifier !== '') {
    if (!QUALIFIER_PATTERN.test(queryQualifier) || queryQualifier.length > 128) {
      throw invalidParameter(`Invalid qualifier: ${queryQualifier}`);
    }
    if (qualifier !== undefined && qualifier !== queryQualifier) {
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    qualifier = queryQualifier;
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

const FUNCTION_NAME_CONSTRAINT =
  'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

/** AWS answers a malformed function identifier with a ValidationException on `functionName`. */
export function functionNameValidation(raw: string): LambdaError {
  return validationError([{ member: 'functionName', value: raw, constraint: FUNCTION_NAME_CONSTRAINT }]);
}

function splitIdentifier(scope: AccountScope, raw: string): { name: string; qualifier: string | undefined } {
  const arn = ARN_PATTERN.exec(raw);
  if (arn) {
    if (arn[2] !== scope.region || arn[3] !== scope.accountId) throw notFound(`Function not found: ${raw}`);
    return { name: arn[4]!, qualifier: arn[5] };
  }
  const partial = PARTIAL_ARN_PATTERN.exec(raw);
  if (partial) {
    if (partial[1] !== scope.accountId) throw notFound(`Function not found: ${raw}`);
    return { name: partial[2]!, qualifier: partial[3] };
  }
  const plain = NAME_QUALIFIER_PATTERN.exec(raw);
  if (plain) return { name: plain[1]!, qualifier: plain[2] };
  throw functionNameValidation(raw);
}
