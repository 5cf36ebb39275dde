import { type FormEvent, useEffect, useRef, useState } from 'react';
import { nimbus } from '../api/client';
import type { LogEvent } from '../api/types';
import { ErrorBox } from '../components/Alert';
import { formatTime } from '../format';
import { useInterval } from '../hooks';

const PAGE = 200;
const RANGES: Record<string, number | undefined> = {
  '15m': 900_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  all: undefined,
};

interface Filter {
  range: string;
  from: string;
  to: string;
  requestId: string;
  text: string;
}

/** `datetime-local` value → epoch ms (local time), or undefined. */
const fromLocal = (v: string) => (v ? new Date(v).getTime() : undefined);

/**
 * The function's log, queried by time range, request id and text (`/nimbus/v1/.../logs`), paged
 * forward with `afterId`; Follow polls for new lines every second.
 */
export function LogsTab({ name, requestId }: { name: string; requestId: string }) {
  const [draft, setDraft] = useState<Filter>({
    range: requestId ? 'all' : '1h',
    from: '',
    to: '',
    requestId,
    text: '',
  });
  const [filter, setFilter] = useState(draft);
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [afterId, setAfterId] = useState(0);
  const [more, setMore] = useState(false);
  const [follow, setFollow] = useState(false);
  const [error, setError] = useState<unknown>();
  const busy = useRef(false);
  const bottom = useRef<HTMLDivElement>(null);

  const fetchPage = async (f: Filter, after: number) => {
    const span = RANGES[f.range];
    const startTime =
      f.range === 'custom' ? fromLocal(f.from) : span === undefined ? undefined : Date.now() - span;
    const endTime = f.range === 'custom' ? fromLocal(f.to) : undefined;
    return nimbus<{ events: LogEvent[]; nextAfterId: number }>(
      'GET',
      `/nimbus/v1/functions/${encodeURIComponent(name)}/logs`,
      {
        query: {
          limit: PAGE,
          afterId: after || undefined,
          startTime,
          endTime,
          requestId: f.requestId.trim() || undefined,
          filter: f.text || undefined,
        },
      },
    );
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts a new query.
  useEffect(() => {
    let stale = false;
    busy.current = true;
    fetchPage(filter, 0)
      .then((r) => {
        if (stale) return;
        setEvents(r.events);
        setAfterId(r.nextAfterId);
        setMore(r.events.length === PAGE);
        setError(undefined);
      })
      .catch((e: unknown) => !stale && setError(e))
      .finally(() => {
        busy.current = false;
      });
    return () => {
      stale = true;
    };
  }, [filter, name]);

  const loadMore = async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      const r = await fetchPage(filter, afterId);
      if (r.events.length) {
        setEvents((e) => [...e, ...r.events].slice(-5000));
        setAfterId(r.nextAfterId);
        if (follow) requestAnimationFrame(() => bottom.current?.scrollIntoView({ block: 'end' }));
      }
      setMore(r.events.length === PAGE);
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      busy.current = false;
    }
  };
  useInterval(() => void loadMore(), 1000, follow);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft });
  };

  return (
    <div className="logs-tab">
      <form className="toolbar filters" onSubmit={apply}>
        <label>
          Time
          <select value={draft.range} onChange={(e) => setDraft({ ...draft, range: e.target.value })}>
            <option value="15m">Last 15 minutes</option>
            <option value="1h">Last hour</option>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="all">Everything</option>
            <option value="custom">Between…</option>
          </select>
        </label>
        {draft.range === 'custom' ? (
          <>
            <input
              type="datetime-local"
              aria-label="From"
              value={draft.from}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            />
            <input
              type="datetime-local"
              aria-label="To"
              value={draft.to}
              onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            />
          </>
        ) : null}
        <label>
          Request id
          <input
            name="requestId"
            value={draft.requestId}
            onChange={(e) => setDraft({ ...draft, requestId: e.target.value })}
          />
        </label>
        <label>
          Contains
          <input
            name="text"
            value={draft.text}
            onChange={(e) => setDraft({ ...draft, text: e.target.value })}
          />
        </label>
        <button type="submit">Search</button>
        <label className="inline">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
            data-testid="follow"
          />{' '}
          Follow
        </label>
      </form>
      <ErrorBox error={error} />
      <div className="log-view" data-testid="log-events">
        {events.length === 0 ? <div className="empty">No log events match.</div> : null}
        {events.map((e) => (
          <div key={e.id} className="log-line">
            <time>{formatTime(e.timestamp)}</time>
            <code className="rid" title={e.requestId}>
              {e.requestId?.slice(0, 8) ?? ''}
            </code>
            <pre>{e.message}</pre>
          </div>
        ))}
        <div ref={bottom} />
      </div>
      {more && !follow ? (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      ) : null}
    </div>
  );
}
