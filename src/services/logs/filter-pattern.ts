/**
 * CloudWatch Logs filter patterns for unstructured text (what `aws logs filter-log-events
 * --filter-pattern` and `aws logs tail --filter-pattern` send): space-separated terms that must
 * all appear, `"quoted phrases"`, `-term` to exclude, `?term` for any-of. JSON patterns
 * (`{ $.level = "ERROR" }`) compare one property of JSON log lines with `=`, `!=`, `<`, `>`, `<=`,
 * `>=` (strings with `*` wildcards, numbers), joined by `&&` or `||`. Matching is case-sensitive,
 * as in CloudWatch.
 */
export type LogMatcher = (message: string) => boolean;

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return () => true;
  if (p.startsWith('{')) return compileJsonPattern(p);
  return compileTermPattern(p);
}

function compileTermPattern(p: string): LogMatcher {
  const tokens = [...p.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    mod: m[1] ?? '',
    text: (m[2] ?? m[3] ?? '').replace(/\\"/g, '"'),
  }));
  const must = tokens.filter((t) => t.mod === '').map((t) => t.text);
  const not = tokens.filter((t) => t.mod === '-').map((t) => t.text);
  const any = tokens.filter((t) => t.mod === '?').map((t) => t.text);
  return (m) =>
    must.every((t) => m.includes(t)) &&
    !not.some((t) => m.includes(t)) &&
    (any.length === 0 || any.some((t) => m.includes(t)));
}

interface Comparison {
  path: string[];
  op: '=' | '!=' | '<' | '>' | '<=' | '>=';
  value: string | number;
}

function compileJsonPattern(p: string): LogMatcher {
  if (!p.endsWith('}')) throw new FilterPatternError('Invalid filter pattern: a JSON pattern ends with }');
  const body = p.slice(1, -1).trim();
  const orGroups = body.split('||').map((group) => group.split('&&').map((c) => parseComparison(c.trim())));
  return (message) => {
    const json = jsonPart(message);
    if (json === undefined) return false;
    return orGroups.some((all) => all.every((c) => compare(lookup(json, c.path), c)));
  };
}

function parseComparison(text: string): Comparison {
  const m = /^\(?\s*\$((?:\.[A-Za-z0-9_-]+|\[\d+\])+)\s*(=|!=|<=|>=|<|>)\s*(.+?)\s*\)?$/.exec(text);
  if (!m) throw new FilterPatternError(`Invalid filter pattern: cannot read the comparison "${text}"`);
  const path = [...m[1]!.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)].map((x) => x[1] ?? x[2]!);
  const raw = m[3]!;
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { path, op: m[2] as Comparison['op'], value };
}

/** A Lambda JSON log line is JSON; a Text line may end with a JSON payload after tabs. */
function jsonPart(message: string): unknown {
  for (const candidate of [message, message.slice(message.lastIndexOf('\t') + 1)]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function lookup(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function compare(actual: unknown, c: Comparison): boolean {
  if (typeof c.value === 'number') {
    const n = typeof actual === 'number' ? actual : Number(actual);
    if (actual === undefined || Number.isNaN(n)) return false;
    switch (c.op) {
      case '=':
        return n === c.value;
      case '!=':
        return n !== c.value;
      case '<':
        return n < c.value;
      case '>':
        return n > c.value;
      case '<=':
        return n <= c.value;
      case '>=':
        return n >= c.value;
    }
  }
  if (actual === undefined) return false;
  const re = new RegExp(`^${c.value.split('*').map(escapeRegExp).join('.*')}$`);
  const matches = re.test(String(actual));
  if (c.op === '=') return matches;
  if (c.op === '!=') return !matches;
  return false;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
