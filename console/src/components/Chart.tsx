import { formatClock, formatDay } from '../format';

export interface ChartSeries {
  name: string;
  color: string;
  values: (number | null)[];
}

interface ChartProps {
  title: string;
  times: number[];
  periodMs: number;
  series: ChartSeries[];
  kind?: 'line' | 'bar';
  format?: (v: number) => string;
  height?: number;
  /** Width of the drawing in SVG units: wider charts keep their text small. */
  width?: number;
}

const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

/** The next "round" number at or above n (1, 2, 5 × 10^k). */
function niceMax(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** A small SVG time chart (no library): gridlines, axis labels, a <title> per point for hovering. */
export function Chart({
  title,
  times,
  periodMs,
  series,
  kind = 'line',
  format = String,
  height = 150,
  width = 480,
}: ChartProps) {
  const W = width;
  const H = height;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const n = times.length;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const x = (i: number) => PAD.left + (n <= 1 ? innerW / 2 : (i / (n - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const withDate = n > 0 && times[n - 1]! - times[0]! > 86_400_000;
  const daily = periodMs >= 86_400_000;
  const labelEvery = Math.max(1, Math.ceil(n / 5));
  const barW = Math.min(36, Math.max(1, (innerW / Math.max(1, n)) * 0.7));
  const total = series.map((s) => s.values.reduce<number>((a, v) => a + (v ?? 0), 0));

  return (
    <figure className="chart" data-testid={`chart-${title}`}>
      <figcaption>
        {title}
        <span className="legend">
          {series.map((s, i) => (
            <span key={s.name}>
              <i style={{ background: s.color }} /> {s.name}
              {kind === 'bar' ? ` (${format(total[i]!)})` : ''}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text className="axis" x={PAD.left - 4} y={y(max * f) + 3} textAnchor="end">
              {format(max * f)}
            </text>
          </g>
        ))}
        {times.map((t, i) =>
          i % labelEvery === 0 ? (
            <text key={t} className="axis" x={x(i)} y={H - 6} textAnchor="middle">
              {daily ? formatDay(t) : formatClock(t, withDate)}
            </text>
          ) : null,
        )}
        {series.map((s, si) =>
          kind === 'bar' ? (
            <g key={s.name}>
              {s.values.map((v, i) =>
                v ? (
                  <rect
                    // biome-ignore lint/suspicious/noArrayIndexKey: points are positional
                    key={i}
                    x={x(i) - barW / 2 + (si * barW) / series.length}
                    width={barW / series.length}
                    y={y(v)}
                    height={y(0) - y(v)}
                    fill={s.color}
                  >
                    <title>{`${formatClock(times[i]!, true)} ${s.name}: ${format(v)}`}</title>
                  </rect>
                ) : null,
              )}
            </g>
          ) : (
            <g key={s.name}>
              <path
                d={lineSegments(s.values, x, y)}
                fill="none"
                stroke={s.color}
                strokeWidth={1.6}
                strokeLinejoin="round"
              />
              {s.values.map((v, i) =>
                v !== null && (n < 80 || v > 0) ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: points are positional
                  <circle key={i} cx={x(i)} cy={y(v)} r={n < 80 ? 2 : 1.2} fill={s.color}>
                    <title>{`${formatClock(times[i]!, true)} ${s.name}: ${format(v)}`}</title>
                  </circle>
                ) : null,
              )}
            </g>
          ),
        )}
      </svg>
      <span className="period">per {periodLabel(periodMs)}</span>
    </figure>
  );
}

/** Lines between consecutive known points; gaps (null) break the line. */
function lineSegments(values: (number | null)[], x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function periodLabel(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${s / 60} min`;
  if (s < 86_400) return `${s / 3600} h`;
  return `${s / 86_400} d`;
}
