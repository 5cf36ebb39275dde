import { type FormEvent, useState } from 'react';
import { nimbus } from '../api/client';
import type { Usage as UsageData, UsageRow } from '../api/types';
import { ErrorBox } from '../components/Alert';
import { Chart } from '../components/Chart';
import { formatCount, formatGbSeconds, formatMs, formatUsd } from '../format';
import { useLoad } from '../hooks';
import { functionPath, Link } from '../router';

const DAY = 86_400_000;
const PERIODS: Record<string, () => { since?: number; until?: number }> = {
  '24h': () => ({ since: Date.now() - DAY }),
  '7d': () => ({ since: Date.now() - 7 * DAY }),
  '30d': () => ({ since: Date.now() - 30 * DAY }),
  month: () => {
    const d = new Date();
    return { since: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
  },
  all: () => ({}),
};

interface Totals {
  functionName: string;
  requests: number;
  errors: number;
  coldStarts: number;
  durationMs: number;
  gbSeconds: number;
  cost: number;
}

function perFunction(rows: UsageRow[]): Totals[] {
  const m = new Map<string, Totals>();
  for (const r of rows) {
    const t = m.get(r.functionName) ?? {
      functionName: r.functionName,
      requests: 0,
      errors: 0,
      coldStarts: 0,
      durationMs: 0,
      gbSeconds: 0,
      cost: 0,
    };
    t.requests += r.requests;
    t.errors += r.errors;
    t.coldStarts += r.coldStarts;
    t.durationMs += r.durationMs;
    t.gbSeconds += r.gbSeconds;
    t.cost += r.cost;
    m.set(r.functionName, t);
  }
  return [...m.values()].sort((a, b) => b.cost - a.cost || a.functionName.localeCompare(b.functionName));
}

/** Small amounts stay short on an axis: $2.5e-6. */
const axisUsd = (v: number) => (v === 0 ? '$0' : v < 0.01 ? `$${v.toExponential(1)}` : formatUsd(v));

/** Requests, GB-seconds and estimated cost per function and in total (`/nimbus/v1/usage`). */
export function Usage() {
  const [period, setPeriod] = useState('7d');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [custom, setCustom] = useState<{ since?: number; until?: number }>();
  const range = period === 'custom' ? (custom ?? {}) : PERIODS[period]!();
  const usage = useLoad(
    () => nimbus<UsageData>('GET', '/nimbus/v1/usage', { query: { by: 'day', ...range } }),
    [period, custom],
  );
  const rows = usage.data?.rows ?? [];
  const totals = perFunction(rows);
  const days = [...new Set(rows.map((r) => r.period ?? 0))].sort((a, b) => a - b);
  const dayCost = days.map((d) => rows.filter((r) => r.period === d).reduce((n, r) => n + r.cost, 0));
  const dayRequests = days.map((d) => rows.filter((r) => r.period === d).reduce((n, r) => n + r.requests, 0));
  const p = usage.data?.prices;

  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    setCustom({
      ...(from ? { since: Date.parse(`${from}T00:00:00Z`) } : {}),
      ...(to ? { until: Date.parse(`${to}T00:00:00Z`) + DAY } : {}),
    });
  };

  return (
    <div className="page">
      <h1>Usage</h1>
      <form className="toolbar" onSubmit={applyCustom}>
        <label>
          Period
          <select name="period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="month">This month (UTC)</option>
            <option value="all">All recorded</option>
            <option value="custom">Between dates (UTC)…</option>
          </select>
        </label>
        {period === 'custom' ? (
          <>
            <input type="date" aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)} />
            <input type="date" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)} />
            <button type="submit">Apply</button>
          </>
        ) : null}
      </form>
      <ErrorBox error={usage.error} />
      <section className="stats">
        <div className="stat">
          <div className="stat-value" data-testid="total-requests">
            {formatCount(usage.data?.total.requests ?? 0)}
          </div>
          <div className="stat-label">Requests</div>
        </div>
        <div className="stat">
          <div className="stat-value">{formatGbSeconds(usage.data?.total.gbSeconds ?? 0)}</div>
          <div className="stat-label">GB-seconds</div>
        </div>
        <div className="stat">
          <div className="stat-value" data-testid="total-cost">
            {formatUsd(usage.data?.total.cost ?? 0)}
          </div>
          <div className="stat-label">Estimated cost ({usage.data?.currency ?? 'USD'})</div>
        </div>
      </section>
      {days.length > 0 ? (
        <div className="charts two">
          <Chart
            title="Requests per day (UTC)"
            kind="bar"
            times={days}
            periodMs={DAY}
            format={(v) => formatCount(v)}
            series={[{ name: 'requests', color: '#3867d6', values: dayRequests }]}
          />
          <Chart
            title="Estimated cost per day"
            kind="bar"
            times={days}
            periodMs={DAY}
            format={axisUsd}
            series={[{ name: 'cost', color: '#20bf6b', values: dayCost }]}
          />
        </div>
      ) : null}
      <table className="table" data-testid="usage">
        <thead>
          <tr>
            <th>Function</th>
            <th className="num">Requests</th>
            <th className="num">Errors</th>
            <th className="num">Cold starts</th>
            <th className="num">Avg duration</th>
            <th className="num">GB-seconds</th>
            <th className="num">Est. cost</th>
          </tr>
        </thead>
        <tbody>
          {totals.map((t) => (
            <tr key={t.functionName}>
              <td>
                <Link to={functionPath(t.functionName)}>{t.functionName}</Link>
              </td>
              <td className="num">{formatCount(t.requests)}</td>
              <td className="num">{formatCount(t.errors)}</td>
              <td className="num">{formatCount(t.coldStarts)}</td>
              <td className="num">{formatMs(t.requests ? t.durationMs / t.requests : null)}</td>
              <td className="num">{formatGbSeconds(t.gbSeconds)}</td>
              <td className="num">{formatUsd(t.cost)}</td>
            </tr>
          ))}
          {!usage.loading && totals.length === 0 ? (
            <tr>
              <td colSpan={7} className="empty">
                No invocations in this period.
              </td>
            </tr>
          ) : null}
        </tbody>
        {totals.length > 1 && usage.data ? (
          <tfoot>
            <tr>
              <td>Total</td>
              <td className="num">{formatCount(usage.data.total.requests)}</td>
              <td className="num">{formatCount(usage.data.total.errors)}</td>
              <td className="num">{formatCount(totals.reduce((n, t) => n + t.coldStarts, 0))}</td>
              <td />
              <td className="num">{formatGbSeconds(usage.data.total.gbSeconds)}</td>
              <td className="num">{formatUsd(usage.data.total.cost)}</td>
            </tr>
          </tfoot>
        ) : null}
      </table>
      {p ? (
        <p className="muted">
          Estimated at ${(p.perRequest * 1e6).toFixed(2)} per million requests and ${p.perGbSecondX86} per
          GB-second (x86_64; arm64 ${p.perGbSecondArm}), init time included as Lambda bills it. The free tier
          is not applied. Prices are set with <code>NIMBUS_PRICE_PER_REQUEST</code> /{' '}
          <code>NIMBUS_PRICE_PER_GB_SECOND</code>.
        </p>
      ) : null}
    </div>
  );
}
