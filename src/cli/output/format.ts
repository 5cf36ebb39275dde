/** Formatting of values for human output. Machine output (`--json`) never goes through here. */

const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/** `312 B`, `4.2 KB`, `12.5 MB` (powers of 1024). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${UNITS[0]}` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO-8601 in the local time zone with its offset: `2025-12-28T14:03:05.123+01:00`. */
export function formatLocalIso(epochMs: number): string {
  const d = new Date(epochMs);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** A short local date and time for tables: `2025-12-28 14:03:05`. */
export function formatLocalDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Lambda's `LastModified` (`2020-04-10T19:06:32.563+0000`) as epoch ms, or NaN. */
export function parseLambdaTimestamp(text: string): number {
  return Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/**
 * A non-negative amount that may be tiny, with about two significant digits below 1 and three
 * decimals above: `0`, `0.0000034`, `0.0125`, `1.500`, `1234.500`.
 */
export function formatAmount(value: number): string {
  if (value === 0) return '0';
  if (value >= 1) return value.toFixed(3);
  const decimals = Math.min(12, 1 - Math.floor(Math.log10(value)));
  return value.toFixed(decimals);
}

/** US dollars: `$0.00`, `$12.35`, and small amounts to two significant digits (`$0.0000034`). */
export function formatUsd(value: number): string {
  if (value === 0) return '$0.00';
  if (value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${formatAmount(value)}`;
}

/** `1,234,567` */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
