import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { useState } from 'react';
import { lambda, nimbus } from '../api/client';
import type { Series } from '../api/types';
import { ErrorBox } from '../components/Alert';
import { Chart } from '../components/Chart';
import { formatMs } from '../format';
import { useInterval, useLoad } from '../hooks';
import { functionPath, navigate, useRoute } from '../router';

/** Ranges and the period that keeps each chart at 60–170 points. */
const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000, period: 60 },
  { id: '3h', label: '3 hours', ms: 10_800_000, period: 120 },
  { id: '24h', label: '24 hours', ms: 86_400_000, period: 900 },
  { id: '7d', label: '7 days', ms: 604_800_000, period: 3600 },
] as const;

/** CloudWatch-style charts from `/nimbus/v1/functions/{name}/metrics`, refreshed every 10 s. */
export function MonitorTab({ name }: { name: string }) {
  const [rangeId, setRangeId] = useState<(typeof RANGES)[number]['id']>('1h');
  const range = RANGES.find((r) => r.id === rangeId)!;
  const version = useRoute().query.get('version') ?? '';
  const versions = useLoad(
    async () =>
      (
        await lambda().send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 50 }))
      ).Versions?.map((v) => v.Version ?? '') ?? [],
    [name],
  );
  const series = useLoad(() => {
    const period = range.period;
    // Align to the period so points do not shift on every refresh.
    const until = Math.ceil(Date.now() / (period * 1000)) * period * 1000;
    return nimbus<Series>('GET', `/nimbus/v1/functions/${encodeURIComponent(name)}/metrics`, {
      query: { since: until - range.ms, until, period, version: version || undefined },
    });
  }, [name, rangeId, version]);
  useInterval(() => series.reload(), 10_000);
  const p = series.data?.points ?? [];
  const times = p.map((x) => x.t);
  const periodMs = range.period * 1000;
  const count = (v: number) => String(Math.round(v * 100) / 100);

  return (
    <div data-testid="monitor">
      <div className="toolbar">
        {RANGES.map((r) => (
          <button
            key={r.id}
            type="button"
            className={r.id === rangeId ? 'selected' : ''}
            onClick={() => setRangeId(r.id)}
          >
            {r.label}
          </button>
        ))}
        <label className="inline">
          Version{' '}
          <select
            name="version"
            value={version}
            onChange={(e) =>
              navigate(functionPath(name, 'monitor', e.target.value ? { version: e.target.value } : {}), true)
            }
          >
            <option value="">all versions</option>
            {(versions.data ?? []).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
            {version && !(versions.data ?? []).includes(version) ? (
              <option value={version}>{version}</option>
            ) : null}
          </select>
        </label>
        {version ? <span className="muted small">Throttles are counted for the whole function.</span> : null}
      </div>
      <ErrorBox error={series.error} />
      <div className="charts">
        <Chart
          title="Invocations"
          kind="bar"
          times={times}
          periodMs={periodMs}
          format={count}
          series={[{ name: 'invocations', color: '#3867d6', values: p.map((x) => x.invocations) }]}
        />
        <Chart
          title="Errors and throttles"
          kind="bar"
          times={times}
          periodMs={periodMs}
          format={count}
          series={[
            { name: 'errors', color: '#eb3b5a', values: p.map((x) => x.errors) },
            { name: 'throttles', color: '#fa8231', values: p.map((x) => x.throttles) },
          ]}
        />
        <Chart
          title="Duration"
          times={times}
          periodMs={periodMs}
          format={(v) => formatMs(v)}
          series={[
            { name: 'p50', color: '#20bf6b', values: p.map((x) => x.durationP50) },
            { name: 'p99', color: '#8854d0', values: p.map((x) => x.durationP99) },
          ]}
        />
        <Chart
          title="Concurrent executions"
          times={times}
          periodMs={periodMs}
          format={count}
          series={[{ name: 'max', color: '#0fb9b1', values: p.map((x) => x.concurrency) }]}
        />
        <Chart
          title="Cold starts"
          kind="bar"
          times={times}
          periodMs={periodMs}
          format={count}
          series={[{ name: 'cold starts', color: '#4b6584', values: p.map((x) => x.coldStarts) }]}
        />
      </div>
    </div>
  );
}
