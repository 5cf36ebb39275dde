/**
 * Event filtering as Lambda does it for event source mappings: EventBridge-style patterns matched
 * against each record (for SQS, a JSON `body` is matched as an object). A record passes when any
 * filter matches. Supported: exact values, `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (values, `prefix`, `suffix`), `numeric` ranges, `exists`, and `null`.
 */
export type Pattern = { [key: string]: Pattern | unknown[] };

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

/** Parses and checks a pattern; throws {@link FilterPatternError} when it is malformed. */
export function parsePattern(text: string): Pattern {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FilterPatternError('the pattern is not valid JSON');
  }
  checkNode(value, '');
  return value as Pattern;
}

function checkNode(node: unknown, path: string): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new FilterPatternError(`${path || 'the pattern'} must be a JSON object`);
  }
  for (const [key, v] of Object.entries(node)) {
    const here = path ? `${path}.${key}` : key;
    if (Array.isArray(v)) {
      if (v.length === 0) throw new FilterPatternError(`${here} must list at least one value`);
      for (const m of v) checkMatcher(m, here);
    } else checkNode(v, here);
  }
}

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists']);

function checkMatcher(m: unknown, path: string): void {
  if (m === null || typeof m !== 'object') return;
  if (Array.isArray(m)) throw new FilterPatternError(`${path}: nested arrays are not allowed`);
  const keys = Object.keys(m);
  if (keys.length !== 1 || !OPERATORS.has(keys[0]!)) {
    throw new FilterPatternError(`${path}: unknown operator ${JSON.stringify(m)}`);
  }
  const op = keys[0]!;
  const arg = (m as Record<string, unknown>)[op];
  if (op === 'numeric') {
    if (!Array.isArray(arg) || arg.length % 2 !== 0 || arg.length === 0) {
      throw new FilterPatternError(`${path}: numeric takes pairs of operator and number`);
    }
    for (let i = 0; i < arg.length; i += 2) {
      if (!['<', '<=', '=', '>', '>='].includes(String(arg[i])) || typeof arg[i + 1] !== 'number') {
        throw new FilterPatternError(`${path}: bad numeric comparison`);
      }
    }
  }
  if (op === 'exists' && typeof arg !== 'boolean')
    throw new FilterPatternError(`${path}: exists takes true or false`);
  if ((op === 'prefix' || op === 'suffix' || op === 'equals-ignore-case') && typeof arg !== 'string') {
    throw new FilterPatternError(`${path}: ${op} takes a string`);
  }
}

/** Whether `value` matches `pattern`. */
export function matchesPattern(pattern: Pattern, value: unknown): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    const present = value !== null && typeof value === 'object' && key in (value as object);
    const actual = present ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchesField(expected, present, actual)) return false;
    } else if (!present || !matchesPattern(expected as Pattern, actual)) return false;
  }
  return true;
}

function matchesField(matchers: unknown[], present: boolean, actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return matchers.some((m) => {
    if (m !== null && typeof m === 'object') {
      const [op, arg] = Object.entries(m)[0]!;
      if (op === 'exists') return arg === (present && actual !== undefined);
      if (!present) return false;
      return values.some((v) => operator(op, arg, v));
    }
    if (!present) return false;
    return values.some((v) => v === m);
  });
}

function operator(op: string, arg: unknown, v: unknown): boolean {
  switch (op) {
    case 'prefix':
      return typeof v === 'string' && v.startsWith(arg as string);
    case 'suffix':
      return typeof v === 'string' && v.endsWith(arg as string);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === (arg as string).toLowerCase();
    case 'numeric':
      return typeof v === 'number' && numeric(arg as unknown[], v);
    case 'anything-but':
      return anythingBut(arg, v);
    default:
      return false;
  }
}

function numeric(cmp: unknown[], v: number): boolean {
  for (let i = 0; i < cmp.length; i += 2) {
    const n = cmp[i + 1] as number;
    const ok =
      cmp[i] === '<'
        ? v < n
        : cmp[i] === '<='
          ? v <= n
          : cmp[i] === '='
            ? v === n
            : cmp[i] === '>'
              ? v > n
              : v >= n;
    if (!ok) return false;
  }
  return true;
}

function anythingBut(arg: unknown, v: unknown): boolean {
  if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
    const [op, inner] = Object.entries(arg)[0] ?? [];
    if (op === 'prefix') return typeof v === 'string' && !v.startsWith(inner as string);
    if (op === 'suffix') return typeof v === 'string' && !v.endsWith(inner as string);
    return true;
  }
  const excluded = Array.isArray(arg) ? arg : [arg];
  return !excluded.includes(v);
}

/** Whether a record passes a mapping's filters (no filters: everything passes). */
export function passesFilters(patterns: readonly Pattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesPattern(p, record));
}
