import type { z } from 'zod';
import { type ConstraintViolation, invalidContent, validationError } from '../../domain/errors.js';

/**
 * Parses a request member set with a zod schema and words every failure as Lambda does: shape
 * violations as one `ValidationException` listing each (`1 validation error detected: Value '901'
 * at 'timeout' failed to satisfy constraint: ...`), wrong JSON types and unknown members as
 * `InvalidRequestContentException`.
 */
export function parseMembers<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const violations: ConstraintViolation[] = [];
  for (const issue of r.error.issues) {
    const member = memberPath(issue.path);
    const value = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'invalid_type':
        if (value === undefined || value === null) {
          violations.push({ member, value: null, constraint: 'Member must not be null' });
          break;
        }
        throw invalidContent(
          `Could not parse request body into json: Could not parse payload into json: Unexpected ${typeof value} for member '${member}', expected ${issue.expected}`,
        );
      case 'unrecognized_keys':
        throw invalidContent(
          `Could not parse request body into json: Unrecognized field "${issue.keys.join('", "')}"${member ? ` in '${member}'` : ''}`,
        );
      case 'too_big':
        violations.push({
          member,
          value,
          constraint:
            issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
              ? `Member must have value less than or equal to ${issue.maximum}`
              : `Member must have length less than or equal to ${issue.maximum}`,
        });
        break;
      case 'too_small':
        violations.push({
          member,
          value,
          constraint:
            issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
              ? `Member must have value greater than or equal to ${issue.minimum}`
              : `Member must have length greater than or equal to ${issue.minimum}`,
        });
        break;
      case 'invalid_format':
        violations.push({
          member,
          value,
          constraint: `Member must satisfy regular expression pattern: ${awsPattern((issue as { pattern?: string }).pattern)}`,
        });
        break;
      case 'invalid_value':
        violations.push({
          member,
          value,
          constraint: `Member must satisfy enum value set: [${issue.values.join(', ')}]`,
        });
        break;
      case 'invalid_key': {
        const inner = issue.issues[0];
        const pattern =
          inner && inner.code === 'invalid_format' ? awsPattern((inner as { pattern?: string }).pattern) : '';
        violations.push({
          member: memberPath(issue.path.slice(0, -1)),
          value: SENSITIVE,
          constraint: `Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${pattern}]`,
        });
        break;
      }
      default:
        violations.push({ member, value, constraint: issue.message });
    }
  }
  throw validationError(violations);
}

/** Values AWS does not echo back (map contents that may hold secrets). */
export const SENSITIVE = Symbol('sensitive');

function memberPath(path: readonly PropertyKey[]): string {
  return path
    .filter((p): p is string => typeof p === 'string')
    .map((p) => p.charAt(0).toLowerCase() + p.slice(1))
    .join('.');
}

function awsPattern(pattern: string | undefined): string {
  if (!pattern) return '';
  return pattern
    .replace(/^\//, '')
    .replace(/\/[a-z]*$/, '')
    .replace(/^\^/, '')
    .replace(/\$$/, '');
}
