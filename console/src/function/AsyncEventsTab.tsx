import { useState } from 'react';
import { nimbus } from '../api/client';
import { ErrorBox, Notice } from '../components/Alert';
import { Pager } from '../components/Pager';
import { formatTime } from '../format';
import { useInterval, useLoad, usePages } from '../hooks';

const STATES = ['queued', 'in-flight', 'retrying', 'failed', 'succeeded'] as const;
const PAGE = 25;

interface AsyncEvent {
  requestId: string;
  state: (typeof STATES)[number];
  attempts: number;
  backoffs: number;
  enqueuedAt: number;
  nextAttemptAt?: number;
  endedAt?: number;
  updatedAt: number;
  qualifier?: string;
  condition?: string;
  lastError?: string;
  payloadBytes: number;
  seq: number;
}

interface EventDetail extends AsyncEvent {
  payload: string;
  lastResponse?: { statusCode: number; functionError?: string; payload?: string };
}

interface EventList {
  events: AsyncEvent[];
  counts: Partial<Record<(typeof STATES)[number], number>>;
  nextAfter?: number;
}

/**
 * The function's asynchronous events (`/nimbus/v1/functions/{name}/events`): counts by state, the
 * list with attempts and last error, one event's payload and last response, and replay of failed
 * events, one or all.
 */
export default function AsyncEventsTab({ name }: { name: string }) {
  const base = `/nimbus/v1/functions/${encodeURIComponent(name)}/events`;
  const [state, setState] = useState('');
  const pages = usePages<number>();
  const after = pages.current;
  const list = useLoad(
    (signal) =>
      nimbus<EventList>('GET', base, { query: { state: state || undefined, after, limit: PAGE }, signal }),
    [name, state, after],
  );
  const live =
    (list.data?.counts.queued ?? 0) +
    (list.data?.counts['in-flight'] ?? 0) +
    (list.data?.counts.retrying ?? 0);
  useInterval(() => list.reload(), live > 0 ? 1000 : 5000);
  const [open, setOpen] = useState<string>();
  const detail = useLoad(
    (signal) =>
      open
        ? nimbus<EventDetail>('GET', `${base}/${encodeURIComponent(open)}`, { signal })
        : Promise.resolve(undefined),
    [open, list.data],
  );
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();

  const replay = async (body: { requestIds: string[] } | { allFailed: true }) => {
    setError(undefined);
    setNote('');
    try {
      const r = await nimbus<{ replayed: string[]; notReplayed: string[] }>('POST', `${base}/replay`, {
        body,
      });
      setNote(
        `Replayed ${r.replayed.length} event${r.replayed.length === 1 ? '' : 's'}` +
          (r.notReplayed.length ? `; not replayed (not failed): ${r.notReplayed.join(', ')}` : '.'),
      );
      list.reload();
    } catch (e) {
      setError(e);
    }
  };

  const counts = list.data?.counts ?? {};
  const events = list.data?.events ?? [];
  return (
    <div className="events-tab">
      <div className="toolbar" data-testid="event-counts">
        <button
          type="button"
          className={state === '' ? 'selected' : ''}
          onClick={() => {
            setState('');
            pages.reset();
          }}
        >
          All
        </button>
        {STATES.map((s) => (
          <button
            key={s}
            type="button"
            className={state === s ? 'selected' : ''}
            data-testid={`count-${s}`}
            onClick={() => {
              setState(s);
              pages.reset();
            }}
          >
            {s} <span className="count">{counts[s] ?? 0}</span>
          </button>
        ))}
        <button
          type="button"
          className="primary"
          disabled={!counts.failed}
          onClick={() => void replay({ allFailed: true })}
        >
          Replay all failed
        </button>
      </div>
      <ErrorBox error={list.error ?? error} />
      {note ? (
        <Notice kind="success">
          <span data-testid="replay-note">{note}</span>
        </Notice>
      ) : null}
      {events.length === 0 && !list.loading ? (
        <p className="muted">
          No asynchronous events{state ? ` in state ${state}` : ''}. Invoke with InvocationType Event (the
          test panel offers it) or let a bucket notify the function.
        </p>
      ) : (
        <table className="table" data-testid="async-events">
          <thead>
            <tr>
              <th>Request id</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Queued</th>
              <th>Next / ended</th>
              <th>Last error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.requestId} className={open === e.requestId ? 'selected' : ''}>
                <td>
                  <button
                    type="button"
                    className="link mono"
                    onClick={() => setOpen(open === e.requestId ? undefined : e.requestId)}
                  >
                    {e.requestId}
                  </button>
                  {e.qualifier ? <span className="muted"> :{e.qualifier}</span> : null}
                </td>
                <td>
                  <span className={`badge event-${e.state}`}>{e.state}</span>
                  {e.condition ? <div className="muted small">{e.condition}</div> : null}
                </td>
                <td>{e.attempts}</td>
                <td>{formatTime(e.enqueuedAt)}</td>
                <td>
                  {e.nextAttemptAt
                    ? `next ${formatTime(e.nextAttemptAt)}`
                    : e.endedAt
                      ? formatTime(e.endedAt)
                      : '—'}
                </td>
                <td className="error-cell">{e.lastError ?? ''}</td>
                <td>
                  {e.state === 'failed' ? (
                    <button
                      type="button"
                      className="small"
                      onClick={() => void replay({ requestIds: [e.requestId] })}
                    >
                      Replay
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} next={list.data?.nextAfter} />
      {open && detail.data ? (
        <div className="card" data-testid="event-detail">
          <h3>
            Event <code>{detail.data.requestId}</code>
          </h3>
          <h4>Payload ({detail.data.payloadBytes} bytes)</h4>
          <pre>{pretty(detail.data.payload)}</pre>
          {detail.data.lastResponse ? (
            <>
              <h4>
                Last response: {detail.data.lastResponse.statusCode}
                {detail.data.lastResponse.functionError ? ` (${detail.data.lastResponse.functionError})` : ''}
              </h4>
              <pre>{pretty(detail.data.lastResponse.payload ?? '')}</pre>
            </>
          ) : null}
        </div>
      ) : null}
      <ErrorBox error={detail.error} />
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
