import { CliError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(?:\d+[smhdw])+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A `--since` value as epoch ms: a duration back from `now` (`30s`, `10m`, `1h30m`, `7d`, `2w`)
 * or an ISO-8601 date or time (`2025-01-31`, `2025-01-31T12:00:00Z`; without an offset a time is
 * local, as `Date.parse` reads it).
 */
export function parseSince(text: string, now: number = Date.now(), flag = '--since'): number {
  const value = text.trim();
  if (DURATION.test(value)) {
    let ms = 0;
    for (const [, n, unit] of value.matchAll(/(\d+)([smhdw])/g)) ms += Number(n) * UNIT_MS[unit!]!;
    return now - ms;
  }
  if (ISO_DATE.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  throw new CliError(
    `invalid ${flag} value "${text}": use a duration back from now such as 30s, 10m, 1h or 7d, ` +
      'or an ISO-8601 date or time such as 2025-01-31 or 2025-01-31T12:00:00Z.',
  );
}
