import { describe, expect, it } from 'vitest';
import {
  latestSlot,
  nextSlot,
  parseExpression,
  type SlotWindow,
  slots,
} from '../../src/schedules/expression.js';
import { isSchedulerError } from '../../src/schedules/scheduler-errors.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (s: string) => Date.parse(s);
const W: SlotWindow = { anchor: at('2026-01-01T00:00:00Z') };

function next(expr: string, from: string, count = 4, zone?: string, w: SlotWindow = W): string[] {
  return slots(parseExpression(expr, zone), w, at(from), count).map(iso);
}

function rejects(expr: string, zone?: string): string {
  try {
    parseExpression(expr, zone);
  } catch (e) {
    if (!isSchedulerError(e)) throw e;
    expect(e.code).toBe('ValidationException');
    return e.message;
  }
  throw new Error(`${expr} was accepted`);
}

describe('cron expressions (EventBridge fields)', () => {
  it('reads minutes, hours, lists, ranges and increments', () => {
    expect(next('cron(15 10 * * ? *)', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T10:15:00Z',
      '2026-01-02T10:15:00Z',
    ]);
    expect(next('cron(0/15 10-11 * * ? *)', '2026-01-01T10:20:00Z', 5)).toEqual([
      '2026-01-01T10:30:00Z',
      '2026-01-01T10:45:00Z',
      '2026-01-01T11:00:00Z',
      '2026-01-01T11:15:00Z',
      '2026-01-01T11:30:00Z',
    ]);
    // `a/b` starts at a (croner alone refuses it); `*/b` starts at the field's minimum.
    expect(next('cron(5/20 9 * * ? *)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T09:05:00Z',
      '2026-01-01T09:25:00Z',
      '2026-01-01T09:45:00Z',
    ]);
    expect(next('cron(0 8,17 1,15 * ? *)', '2026-01-01T09:00:00Z', 3)).toEqual([
      '2026-01-01T17:00:00Z',
      '2026-01-15T08:00:00Z',
      '2026-01-15T17:00:00Z',
    ]);
  });

  it('counts day-of-week from 1 = SUN to 7 = SAT, names in any case', () => {
    // 2026-01-04 is a Sunday.
    expect(next('cron(0 12 ? * 1 *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-04T12:00:00Z']);
    expect(next('cron(0 12 ? * 7 *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-03T12:00:00Z']);
    expect(next('cron(0 18 ? * mon-FRI *)', '2026-01-02T19:00:00Z', 2)).toEqual([
      '2026-01-05T18:00:00Z',
      '2026-01-06T18:00:00Z',
    ]);
    expect(next('cron(0 0 1 jan,Jul ? *)', '2026-01-02T00:00:00Z', 1)).toEqual(['2026-07-01T00:00:00Z']);
    // 0 is Sunday in Unix cron, not in EventBridge.
    rejects('cron(0 12 ? * 0 *)');
  });

  it('L, W and # as EventBridge defines them', () => {
    expect(next('cron(0 0 L * ? *)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-31T00:00:00Z',
      '2026-02-28T00:00:00Z',
      '2026-03-31T00:00:00Z',
    ]);
    // The weekday nearest the 15th: Feb 15 2026 is a Sunday → Monday the 16th.
    expect(next('cron(0 9 15W * ? *)', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-16T09:00:00Z']);
    // Aug 1 2026 is a Saturday: 1W stays in August (Monday the 3rd).
    expect(next('cron(0 9 1W * ? *)', '2026-07-05T00:00:00Z', 1)).toEqual(['2026-08-03T09:00:00Z']);
    expect(next('cron(0 9 LW * ? *)', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T09:00:00Z',
      '2026-02-27T09:00:00Z',
    ]);
    // 3#2: the second Tuesday; 6L: the last Friday; L alone: Saturday, the last day of the week.
    expect(next('cron(0 10 ? * 3#2 *)', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-13T10:00:00Z',
      '2026-02-10T10:00:00Z',
    ]);
    expect(next('cron(0 10 ? * 6L *)', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T10:00:00Z',
      '2026-02-27T10:00:00Z',
    ]);
    expect(next('cron(0 10 ? * FRIL *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-30T10:00:00Z']);
    expect(next('cron(0 10 ? * L *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-03T10:00:00Z']);
  });

  it('honours the year field', () => {
    expect(next('cron(0 0 1 1 ? 2028-2029)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2028-01-01T00:00:00Z',
      '2029-01-01T00:00:00Z',
    ]);
    expect(next('cron(0 0 1 1 ? 2020)', '2026-01-01T00:00:00Z')).toEqual([]);
  });

  it('refuses what EventBridge refuses', () => {
    for (const bad of [
      'cron(0 12 * * * *)', // neither day field is ?
      'cron(0 12 ? * ? *)', // both are
      'cron(0 12 * * ?)', // five fields
      'cron(0 12 * * ? * *)', // seven
      'cron(60 12 * * ? *)',
      'cron(0 24 * * ? *)',
      'cron(0 12 32 * ? *)',
      'cron(0 12 * 13 ? *)',
      'cron(0 12 ? * 8 *)',
      'cron(0 12 * * ? 1969)',
      'cron(0 12 * * ? 2200)',
      'cron(? 12 * * ? *)',
      'cron(0 12 ? * 2#6 *)',
      'cron(0 12 ? * 2#1,3 *)',
      'cron(0 12 L-2 * ? *)',
      'cron(0 12 ? * L,2 *)',
      'cron(0 12 5L * ? *)',
      'cron(0 12 * * MON *)',
      'cron(0 12 20-10 * ? *)',
      'cron(*/0 12 * * ? *)',
      'cron(abc 12 * * ? *)',
      'cron()',
      'cron 0 12 * * ? *',
    ]) {
      expect(rejects(bad)).toBe(`Invalid Schedule Expression ${bad}.`);
    }
  });
});

describe('time zones', () => {
  it('evaluates cron in the schedule time zone', () => {
    // 9:00 in New York: 14:00 UTC before the March 8 2026 change, 13:00 after.
    expect(next('cron(0 9 * * ? *)', '2026-03-07T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-07T14:00:00Z',
      '2026-03-08T13:00:00Z',
      '2026-03-09T13:00:00Z',
    ]);
  });

  it('skips a time the clocks jump over (spring forward)', () => {
    // Paris, 2026-03-29: 02:00 → 03:00. 02:30 does not exist that day.
    expect(next('cron(30 2 * * ? *)', '2026-03-27T12:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-28T01:30:00Z',
      '2026-03-30T00:30:00Z',
      '2026-03-31T00:30:00Z',
    ]);
  });

  it('runs a repeated time once (fall back)', () => {
    // Paris, 2026-10-25: 03:00 → 02:00. 02:30 happens twice; it fires at the first.
    expect(next('cron(30 2 * * ? *)', '2026-10-24T12:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00Z',
    ]);
    // Every 30 minutes: the repeated 02:00 and 02:30 are not fired again.
    expect(next('cron(0/30 * * * ? *)', '2026-10-24T23:45:00Z', 5, 'Europe/Paris')).toEqual([
      '2026-10-25T00:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T02:00:00Z',
      '2026-10-25T02:30:00Z',
      '2026-10-25T03:00:00Z',
    ]);
  });

  it('reads at() in the time zone', () => {
    expect(next('at(2026-07-01T09:30:00)', '2026-01-01T00:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-07-01T07:30:00Z',
    ]);
    expect(next('at(2026-07-01T09:30:00)', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-07-01T09:30:00Z']);
  });

  it('refuses unknown time zones', () => {
    expect(rejects('rate(5 minutes)', 'Mars/Olympus_Mons')).toMatch(/^Invalid ScheduleExpressionTimezone/);
    rejects('rate(5 minutes)', '+01:00');
  });
});

describe('rate expressions', () => {
  it('counts from the anchor in fixed steps (days are 24 hours, whatever the clocks do)', () => {
    expect(next('rate(5 minutes)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:05:00Z',
      '2026-01-01T00:10:00Z',
      '2026-01-01T00:15:00Z',
    ]);
    const w = { anchor: at('2026-03-28T10:00:00Z') };
    expect(next('rate(1 day)', '2026-03-28T10:00:00Z', 2, 'Europe/Paris', w)).toEqual([
      '2026-03-29T10:00:00Z',
      '2026-03-30T10:00:00Z',
    ]);
    // The first slot is the anchor itself (AWS: "starts invoking immediately").
    expect(nextSlot(parseExpression('rate(2 hours)'), w, w.anchor - 1)).toBe(w.anchor);
  });

  it('wants singular for 1 and plural otherwise', () => {
    for (const ok of [
      'rate(1 minute)',
      'rate(2 minutes)',
      'rate(1 hour)',
      'rate(3 hours)',
      'rate(1 day)',
      'rate(7 days)',
    ]) {
      expect(parseExpression(ok).kind).toBe('rate');
    }
    for (const bad of [
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(0 minutes)',
      'rate(-1 minutes)',
      'rate(5 weeks)',
      'rate(5)',
      'rate(1.5 hours)',
      'rate(5  minutes)',
    ]) {
      expect(rejects(bad)).toBe(`Invalid Schedule Expression ${bad}.`);
    }
  });

  it('keeps slots within StartDate and EndDate', () => {
    const w = {
      anchor: at('2026-01-01T00:00:00Z'),
      start: at('2026-01-01T00:00:00Z'),
      end: at('2026-01-01T00:20:00Z'),
    };
    expect(next('rate(10 minutes)', '2025-12-31T00:00:00Z', 5, undefined, w)).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:10:00Z',
    ]);
    const cron = { anchor: 0, start: at('2026-01-03T00:00:00Z') };
    expect(next('cron(0 12 * * ? *)', '2026-01-01T00:00:00Z', 1, undefined, cron)).toEqual([
      '2026-01-03T12:00:00Z',
    ]);
  });
});

describe('at expressions', () => {
  it('checks the date', () => {
    for (const bad of [
      'at(2026-02-30T10:00:00)',
      'at(2026-13-01T10:00:00)',
      'at(2026-01-01T24:00:00)',
      'at(2026-01-01 10:00:00)',
      'at(2026-01-01T10:00)',
    ]) {
      rejects(bad);
    }
  });
});

describe('latest slot (catching up after downtime)', () => {
  it('finds the most recent slot at or before a time, after the cursor', () => {
    const e = parseExpression('cron(0 * * * ? *)');
    expect(iso(latestSlot(e, W, at('2026-01-01T00:00:00Z'), at('2026-01-01T05:30:00Z'))!)).toBe(
      '2026-01-01T05:00:00Z',
    );
    expect(iso(latestSlot(e, W, at('2026-01-01T00:00:00Z'), at('2026-01-01T05:00:00Z'))!)).toBe(
      '2026-01-01T05:00:00Z',
    );
    expect(latestSlot(e, W, at('2026-01-01T05:00:00Z'), at('2026-01-01T05:30:00Z'))).toBeUndefined();
    const r = parseExpression('rate(10 minutes)');
    expect(iso(latestSlot(r, W, 0, at('2026-01-01T00:25:00Z'))!)).toBe('2026-01-01T00:20:00Z');
  });
});
