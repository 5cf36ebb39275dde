export const formatCount = (n: number) => n.toLocaleString('en-US');

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatUsd(n: number): string {
  if (n === 0) return '$0.00';
  if (n < 0.01) return `$${n.toPrecision(3)}`;
  return `$${n.toFixed(2)}`;
}

export const formatGbSeconds = (n: number) => (n < 10 ? n.toFixed(4) : n.toFixed(1));

export function formatTime(t: number): string {
  const d = new Date(t);
  return d.toLocaleString('en-GB', { hour12: false });
}

export function formatClock(t: number, withDate: boolean): string {
  const d = new Date(t);
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
  return withDate ? `${d.getDate()}/${d.getMonth() + 1} ${hm}` : hm;
}

export const formatBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1_048_576).toFixed(1)} MB`;

/** A UTC day, as usage is bucketed. */
export const formatDay = (t: number) => new Date(t).toISOString().slice(0, 10);
