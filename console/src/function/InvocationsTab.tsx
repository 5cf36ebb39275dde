import { nimbus } from '../api/client';
import type { Invocation } from '../api/types';
import { ErrorBox } from '../components/Alert';
import { Pager } from '../components/Pager';
import { formatMs, formatTime } from '../format';
import { useLoad, usePages } from '../hooks';
import { functionPath, Link } from '../router';

const PAGE = 25;

/** Recent invocations from the metering records, newest first, paged back with `before`. */
export function InvocationsTab({ name }: { name: string }) {
  const pages = usePages<number>();
  const before = pages.current;
  const list = useLoad(
    () =>
      nimbus<{ invocations: Invocation[]; nextBefore?: number }>(
        'GET',
        `/nimbus/v1/functions/${encodeURIComponent(name)}/invocations`,
        { query: { limit: PAGE, before } },
      ),
    [name, before],
  );
  const rows = list.data?.invocations ?? [];
  return (
    <div>
      <ErrorBox error={list.error} />
      <table className="table" data-testid="invocations">
        <thead>
          <tr>
            <th>Started</th>
            <th>Request id</th>
            <th>Outcome</th>
            <th className="num">Duration</th>
            <th className="num">Billed</th>
            <th className="num">Memory used</th>
            <th>Start</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => (
            <tr key={i.requestId}>
              <td>{formatTime(i.startedAt)}</td>
              <td>
                <Link to={functionPath(name, 'logs', { requestId: i.requestId })}>
                  <code>{i.requestId}</code>
                </Link>
              </td>
              <td className={i.outcome === 'success' ? 'good' : 'bad'}>
                {i.outcome}
                {i.errorType ? ` (${i.errorType})` : ''}
              </td>
              <td className="num">{formatMs(i.durationMs)}</td>
              <td className="num">{i.billedMs} ms</td>
              <td className="num">
                {i.maxMemoryMb} / {i.memoryMb} MB
              </td>
              <td>{i.cold ? `cold (init ${formatMs(i.initDurationMs)})` : 'warm'}</td>
            </tr>
          ))}
          {!list.loading && rows.length === 0 ? (
            <tr>
              <td colSpan={7} className="empty">
                No invocations recorded yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <Pager pages={pages} next={list.data?.nextBefore} labels={['← Newer', 'Older →']} showNumber />
    </div>
  );
}
