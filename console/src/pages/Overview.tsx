import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { lambda, nimbus } from '../api/client';
import type { Series, ServerStatus, Usage } from '../api/types';
import { ErrorBox } from '../components/Alert';
import { Chart } from '../components/Chart';
import { Pager } from '../components/Pager';
import { formatBytes, formatCount, formatTime, formatUsd } from '../format';
import { useInterval, useLoad, usePages } from '../hooks';
import { functionPath, Link } from '../router';

const PAGE_SIZE = 20;
const DAY_MS = 86_400_000;

/** All functions (paged with ListFunctions' Marker), with the last 24 hours of activity. */
export function Overview({ status }: { status: ServerStatus }) {
  const pages = usePages<string>();
  const marker = pages.current;
  const functions = useLoad(
    (signal) =>
      lambda().send(
        new ListFunctionsCommand({ MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }),
        {
          abortSignal: signal,
        },
      ),
    [marker],
  );
  const activity = useLoad(async () => {
    const since = Date.now() - DAY_MS;
    const [usage, series] = await Promise.all([
      nimbus<Usage>('GET', '/nimbus/v1/usage', { query: { since, by: 'all' } }),
      nimbus<Series>('GET', '/nimbus/v1/metrics', { query: { since, period: 3600 } }),
    ]);
    return { usage, series };
  }, []);
  const live = useLoad(() => nimbus<ServerStatus>('GET', '/nimbus/v1/status'), []);
  useInterval(() => live.reload(), 5000);
  const s = live.data ?? status;
  const byFunction = new Map(activity.data?.usage.rows.map((r) => [r.functionName, r]) ?? []);
  const list = functions.data?.Functions ?? [];
  const points = activity.data?.series.points ?? [];

  return (
    <div className="page">
      <div className="page-head">
        <h1>Functions</h1>
        <Link to="/create" className="button primary" testId="create-function">
          Create function
        </Link>
      </div>
      <section className="stats">
        <Stat label="Functions" value={formatCount(s.functions)} />
        <Stat label="Running now" value={`${s.concurrency.inFlight} / ${formatCount(s.concurrency.limit)}`} />
        <Stat label="Sandboxes (busy / idle)" value={`${s.sandboxes.busy} / ${s.sandboxes.idle}`} />
        <Stat
          label="Requests, last 24 h"
          value={formatCount(activity.data?.usage.total.requests ?? 0)}
          hint={activity.data ? `${formatUsd(activity.data.usage.total.cost)} estimated` : ''}
        />
      </section>
      {points.length > 0 ? (
        <Chart
          title="Invocations, all functions, last 24 h"
          kind="bar"
          times={points.map((p) => p.t)}
          periodMs={3_600_000}
          width={1100}
          height={140}
          series={[
            { name: 'invocations', color: '#3867d6', values: points.map((p) => p.invocations) },
            { name: 'errors', color: '#eb3b5a', values: points.map((p) => p.errors) },
          ]}
        />
      ) : null}
      <ErrorBox error={functions.error ?? activity.error} />
      <table className="table" data-testid="functions">
        <thead>
          <tr>
            <th>Name</th>
            <th>Runtime</th>
            <th className="num">Memory</th>
            <th className="num">Code</th>
            <th>Last modified</th>
            <th className="num">Requests (24 h)</th>
            <th className="num">Errors (24 h)</th>
          </tr>
        </thead>
        <tbody>
          {list.map((f) => {
            const u = byFunction.get(f.FunctionName ?? '');
            return (
              <tr key={f.FunctionArn}>
                <td>
                  <Link to={functionPath(f.FunctionName ?? '')}>{f.FunctionName}</Link>
                </td>
                <td>{f.Runtime}</td>
                <td className="num">{f.MemorySize} MB</td>
                <td className="num">{formatBytes(f.CodeSize ?? 0)}</td>
                <td>{f.LastModified ? formatTime(Date.parse(f.LastModified.replace('+0000', 'Z'))) : ''}</td>
                <td className="num">{formatCount(u?.requests ?? 0)}</td>
                <td className={`num ${u?.errors ? 'bad' : ''}`}>{formatCount(u?.errors ?? 0)}</td>
              </tr>
            );
          })}
          {!functions.loading && list.length === 0 && pages.number === 1 ? (
            <tr>
              <td colSpan={7} className="empty">
                No functions yet. <Link to="/create">Create your first function</Link>.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <Pager pages={pages} next={functions.data?.NextMarker} showNumber />
    </div>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}
