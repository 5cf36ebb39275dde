/**
 * EventBridge's six cron fields (`minutes hours day-of-month month day-of-week year`), checked by
 * EventBridge's own rules and rewritten into the 7-part pattern croner reads (a leading `0`
 * seconds field). Where the two differ, EventBridge wins:
 *
 * - exactly one of day-of-month and day-of-week is `?` (croner takes `?` as `*` anywhere);
 * - day-of-week counts 1 = SUN … 7 = SAT (croner's `alternativeWeekdays`), 0 is refused;
 * - `L` alone in day-of-week is the last day of the week, Saturday (croner only knows `5#L`);
 *   `<d>L` is the last such weekday of the month (croner: `<d>#L`);
 * - `a/b` steps from `a` (croner wants `a-max/b`);
 * - `L` and `W` only in day-of-month, `#` only in day-of-week, alone in its field;
 * - years 1970–2199, names JAN–DEC and SUN–SAT in any case.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const MINUTES: Field = { name: 'minutes', min: 0, max: 59 };
const HOURS: Field = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: Field = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: Field = { name: 'day-of-week', min: 1, max: 7, names: DAYS };
const YEAR: Field = { name: 'year', min: 1970, max: 2199 };

/** Thrown for any malformed field; the caller words it as the API does. */
export class CronSyntaxError extends Error {
  override readonly name = 'CronSyntaxError';
}

const fail = (message: string): never => {
  throw new CronSyntaxError(message);
};

function value(field: Field, raw: string): number {
  const upper = raw.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < field.min || n > field.max) {
    fail(`${field.name}: '${raw}' is not a value from ${field.min} to ${field.max}`);
  }
  return n;
}

/** One list item: `*`, `v`, `a-b`, with an optional `/step`. Answers croner's spelling. */
function item(field: Field, raw: string): string {
  const [base = '', step, extra] = raw.split('/');
  if (extra !== undefined) fail(`${field.name}: '${raw}' has more than one '/'`);
  let out: string;
  let start: number;
  if (base === '*') {
    out = '*';
    start = field.min;
  } else if (base.includes('-')) {
    const [a = '', b = '', more] = base.split('-');
    if (more !== undefined) fail(`${field.name}: '${raw}' is not a range`);
    start = value(field, a);
    const end = value(field, b);
    if (end < start) fail(`${field.name}: the range '${base}' ends before it starts`);
    out = `${start}-${end}`;
  } else {
    start = value(field, base);
    out = String(start);
  }
  if (step === undefined) return out;
  if (!/^\d+$/.test(step) || Number(step) < 1) fail(`${field.name}: '${step}' is not a step`);
  // `a/b` steps from a to the end of the field; croner wants that spelled as a range.
  return out === String(start) && base !== '*'
    ? `${start}-${field.max}/${Number(step)}`
    : `${out}/${Number(step)}`;
}

function list(field: Field, raw: string): string {
  if (raw === '') fail(`${field.name} is empty`);
  return raw
    .split(',')
    .map((part) => item(field, part))
    .join(',');
}

function dayOfMonth(raw: string): string {
  const upper = raw.toUpperCase();
  if (upper === 'L' || upper === 'LW') return upper;
  const w = /^(\d+)W$/.exec(upper);
  if (w) return `${value(DAY_OF_MONTH, w[1]!)}W`;
  if (/[LW]/.test(upper)) fail(`day-of-month: '${raw}' is not N, L, LW or NW`);
  return list(DAY_OF_MONTH, raw);
}

function dayOfWeek(raw: string): string {
  const upper = raw.toUpperCase();
  if (upper === 'L') return '7';
  const last = /^([A-Z]{3}|\d)L$/.exec(upper);
  if (last) return `${value(DAY_OF_WEEK, last[1]!)}#L`;
  const nth = /^([A-Z]{3}|\d)#(\d)$/.exec(upper);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(`day-of-week: '${raw}': the occurrence after # is 1 to 5`);
    return `${value(DAY_OF_WEEK, nth[1]!)}#${n}`;
  }
  if (/[L#]/.test(upper)) fail(`day-of-week: '${raw}' uses L or # with other values`);
  return list(DAY_OF_WEEK, raw);
}

/** The croner pattern for EventBridge's six fields, or a {@link CronSyntaxError}. */
export function toCronerPattern(fields: string): string {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) fail(`expected 6 fields, got ${parts.length}`);
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) fail('exactly one of day-of-month and day-of-week must be ?');
  for (const [field, raw] of [
    [MINUTES, minutes],
    [HOURS, hours],
    [MONTH, month],
    [YEAR, year],
  ] as const) {
    if (raw.includes('?')) fail(`${field.name} cannot be ?`);
  }
  return [
    '0',
    list(MINUTES, minutes),
    list(HOURS, hours),
    dom === '?' ? '*' : dayOfMonth(dom),
    list(MONTH, month),
    dow === '?' ? '*' : dayOfWeek(dow),
    list(YEAR, year),
  ].join(' ');
}
