/** PostgreSQL log sequence numbers: 64-bit positions in the WAL, written `16/B374D848`. */
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Microseconds since 2000-01-01 (PostgreSQL's epoch) → epoch milliseconds. */
export const PG_EPOCH_MS = 946_684_800_000;
export function pgTimeToMs(micros: bigint): number {
  return Number(micros / 1000n) + PG_EPOCH_MS;
}
export function msToPgTime(ms: number): bigint {
  return BigInt(ms - PG_EPOCH_MS) * 1000n;
}
