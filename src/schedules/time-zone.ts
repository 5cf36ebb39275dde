/**
 * Wall-clock arithmetic in IANA time zones, through `Intl` (the zone data Node ships): no library
 * of its own, so the zones stay as current as the runtime.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Whether `zone` is an IANA time zone name Node knows (`Europe/Paris`, `UTC`). Offsets such as
 * `+01:00`, which newer engines also accept, are not zone names and are refused.
 */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `zone` at instant `ms`. */
export function wallClock(ms: number, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const asUtc = (w: WallClock) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The zone's offset from UTC at instant `ms`, in milliseconds (Paris in winter: +3,600,000). */
export function zoneOffset(ms: number, zone: string): number {
  return asUtc(wallClock(Math.floor(ms / 1000) * 1000, zone)) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `zone` names. A time that occurs twice (the hour repeated when
 * clocks go back) is its first occurrence; a time that does not exist (skipped when clocks go
 * forward) is read with the offset before the change, which lands it after the gap.
 */
export function instantOf(w: WallClock, zone: string): number {
  const guess = asUtc(w);
  const before = guess - zoneOffset(guess - 86_400_000, zone);
  const after = guess - zoneOffset(guess + 86_400_000, zone);
  const candidates = [before, after].filter((t) => asUtc(wallClock(t, zone)) === guess).sort((a, b) => a - b);
  return candidates[0] ?? before;
}

/**
 * Whether the wall-clock time at `ms` already occurred earlier (the second pass through an hour
 * repeated when clocks go back).
 */
export function isRepeatedWallTime(ms: number, zone: string): boolean {
  const now = zoneOffset(ms, zone);
  const earlier = zoneOffset(ms - 6 * 3_600_000, zone);
  if (earlier <= now) return false;
  const first = ms - (earlier - now);
  return zoneOffset(first, zone) === earlier;
}
