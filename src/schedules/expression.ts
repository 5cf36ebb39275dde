import { Cron } from 'croner';
import { CronSyntaxError, toCronerPattern } from './cron-fields.js';
import { validation } from './scheduler-errors.js';
import { instantOf, isRepeatedWallTime, isTimeZone } from './time-zone.js';

/**
 * Schedule expressions as EventBridge Scheduler reads them (`at(...)`, `rate(...)`,
 * `cron(...)`), evaluated in the schedule's time zone (`ScheduleExpressionTimezone`, UTC by
 * default). A parsed expression answers which slots (epoch ms, whole seconds) fall in a window.
 */
export type ScheduleExpression = AtExpression | RateExpression | CronExpression;

export interface AtExpression {
  kind: 'at';
  /** The one slot. */
  at: number;
}

export interface RateExpression {
  kind: 'rate';
  everyMs: number;
}

export interface CronExpression {
  kind: 'cron';
  cron: Cron;
  zone: string;
}

export const DEFAULT_TIME_ZONE = 'UTC';

const MINUTE = 60_000;
const UNITS: Record<string, number> = {
  minute: MINUTE,
  minutes: MINUTE,
  hour: 60 * MINUTE,
  hours: 60 * MINUTE,
  day: 24 * 60 * MINUTE,
  days: 24 * 60 * MINUTE,
};

/** AWS's answer to any expression it cannot read (the wording LocalStack copies from it). */
export const invalidExpression = (text: string) => validation(`Invalid Schedule Expression ${text}.`);

export const invalidTimeZone = (zone: string) =>
  validation(`Invalid ScheduleExpressionTimezone ${zone}: not an IANA time zone name (e.g. Europe/Paris).`);

/** Reads an expression, or throws ValidationException as the Scheduler API does. */
export function parseExpression(text: string, zone: string = DEFAULT_TIME_ZONE): ScheduleExpression {
  if (!isTimeZone(zone)) throw invalidTimeZone(zone);
  const m = /^(at|rate|cron)\((.*)\)$/s.exec(text);
  if (!m) throw invalidExpression(text);
  const body = m[2]!;
  switch (m[1]) {
    case 'at':
      return { kind: 'at', at: parseAt(text, body, zone) };
    case 'rate':
      return { kind: 'rate', everyMs: parseRate(text, body) };
    default:
      return { kind: 'cron', cron: parseCron(text, body, zone), zone };
  }
}

function parseAt(text: string, body: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) throw invalidExpression(text);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw invalidExpression(text);
  }
  return instantOf({ year, month, day, hour, minute, second }, zone);
}

/** `rate(1 minute)`, `rate(5 minutes)`, ...: singular for 1 and plural otherwise, as AWS requires. */
function parseRate(text: string, body: string): number {
  const m = /^(\d+) ([a-z]+)$/.exec(body);
  const unit = m && UNITS[m[2]!];
  if (!m || !unit) throw invalidExpression(text);
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n < 1 || (n === 1) !== !m[2]!.endsWith('s')) throw invalidExpression(text);
  return n * unit;
}

function parseCron(text: string, body: string, zone: string): Cron {
  try {
    return new Cron(toCronerPattern(body), {
      paused: true,
      mode: '7-part',
      alternativeWeekdays: true,
      timezone: zone,
    });
  } catch (e) {
    // Our own field checks (CronSyntaxError) or croner's; either way AWS says the same.
    const error = invalidExpression(text);
    error.cause = e instanceof CronSyntaxError ? e.message : e;
    throw error;
  }
}

/** Where an expression may put slots: `[start, end)`, from `anchor` for rates. */
export interface SlotWindow {
  /** Rates count from here (StartDate, else when the schedule was last created or updated). */
  anchor: number;
  /** StartDate: no slot before it. */
  start?: number | undefined;
  /** EndDate: no slot at or after it. */
  end?: number | undefined;
}

/** The first slot after `after` (exclusive), or undefined when there is none. */
export function nextSlot(e: ScheduleExpression, w: SlotWindow, after: number): number | undefined {
  const from = Math.max(after, (w.start ?? Number.NEGATIVE_INFINITY) - 1);
  let slot: number | undefined;
  switch (e.kind) {
    case 'at':
      slot = e.at > from ? e.at : undefined;
      break;
    case 'rate': {
      const k = from < w.anchor ? 0 : Math.floor((from - w.anchor) / e.everyMs) + 1;
      slot = w.anchor + k * e.everyMs;
      break;
    }
    case 'cron':
      slot = nextCron(e, from);
      break;
  }
  return slot !== undefined && (w.end === undefined || slot < w.end) ? slot : undefined;
}

/** The last slot at or before `at` (and after `after`), or undefined. */
export function latestSlot(
  e: ScheduleExpression,
  w: SlotWindow,
  after: number,
  at: number,
): number | undefined {
  const until = Math.min(at, (w.end ?? Number.POSITIVE_INFINITY) - 1);
  let slot: number | undefined;
  switch (e.kind) {
    case 'at':
      slot = e.at <= until ? e.at : undefined;
      break;
    case 'rate': {
      if (until < w.anchor) return undefined;
      slot = w.anchor + Math.floor((until - w.anchor) / e.everyMs) * e.everyMs;
      break;
    }
    case 'cron':
      slot = previousCron(e, until, after);
      break;
  }
  if (slot === undefined || slot <= after || slot < (w.start ?? Number.NEGATIVE_INFINITY)) return undefined;
  return slot;
}

/**
 * Croner's next run, minus what EventBridge does not fire on daylight-saving changes: a time the
 * clocks skip (croner runs it at the end of the gap; EventBridge skips it) and the second pass
 * through a repeated hour (EventBridge runs once).
 */
function nextCron(e: CronExpression, from: number): number | undefined {
  let cursor = from;
  for (let i = 0; i < 1000; i++) {
    const next = e.cron.nextRun(new Date(cursor));
    if (!next) return undefined;
    const t = next.getTime();
    if (e.cron.match(next) && !isRepeatedWallTime(t, e.zone)) return t;
    cursor = t;
  }
  return undefined;
}

function previousCron(e: CronExpression, until: number, after: number): number | undefined {
  let cursor = until + 1;
  for (let i = 0; i < 1000; i++) {
    const prev = e.cron.previousRuns(1, new Date(cursor))[0];
    if (!prev) return undefined;
    const t = prev.getTime();
    if (t <= after) return undefined;
    if (e.cron.match(prev) && !isRepeatedWallTime(t, e.zone)) return t;
    cursor = t;
  }
  return undefined;
}

/** The first `count` slots after `after`, for previews and tests. */
export function slots(e: ScheduleExpression, w: SlotWindow, after: number, count: number): number[] {
  const out: number[] = [];
  let cursor = after;
  while (out.length < count) {
    const next = nextSlot(e, w, cursor);
    if (next === undefined) break;
    out.push(next);
    cursor = next;
  }
  return out;
}
