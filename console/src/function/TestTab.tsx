import {
  type InvocationType,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { useEffect, useState } from 'react';
import { lambda, nimbus } from '../api/client';
import type { TestEvent } from '../api/types';
import { ErrorBox, FieldError } from '../components/Alert';
import { Editor } from '../components/LazyEditor';
import { formatMs } from '../format';
import { useLoad } from '../hooks';
import { parseReport, type ReportFigures } from '../report';
import { functionPath, Link, navigate, useRoute } from '../router';
import { SAMPLE_EVENTS, sampleText } from '../samples';

interface Result {
  ok: boolean;
  /** Event: accepted (202) and queued; DryRun: checked only (204). */
  accepted?: 'Event' | 'DryRun';
  executedVersion?: string;
  requestId: string;
  errorType?: string;
  payload: string;
  log: string;
  report?: ReportFigures | undefined;
}

const NEW = '';

/**
 * Saved test events (server-side, per function), AWS's sample events as templates, Invoke with
 * the log tail, and the REPORT figures.
 */
export function TestTab({ name }: { name: string }) {
  const base = `/nimbus/v1/functions/${encodeURIComponent(name)}/test-events`;
  const saved = useLoad(() => nimbus<{ testEvents: TestEvent[] }>('GET', base), [name]);
  const events = saved.data?.testEvents ?? [];
  const [selected, setSelected] = useState(NEW);
  const [eventName, setEventName] = useState('');
  const [text, setText] = useState(sampleText(SAMPLE_EVENTS[0]!));
  const [saveError, setSaveError] = useState<unknown>();
  const [saveNote, setSaveNote] = useState('');
  const [invokeError, setInvokeError] = useState<unknown>();
  const [result, setResult] = useState<Result>();
  const [running, setRunning] = useState(false);
  const route = useRoute();
  const qualifier = route.query.get('qualifier') ?? '';
  const [invocationType, setInvocationType] = useState<InvocationType>('RequestResponse');

  useEffect(() => {
    const e = events.find((x) => x.name === selected);
    if (e) {
      setEventName(e.name);
      setText(e.event);
    }
  }, [selected, events]);

  const save = async () => {
    setSaveError(undefined);
    setSaveNote('');
    try {
      await nimbus('PUT', `${base}/${encodeURIComponent(eventName)}`, { body: { event: text } });
      setSaveNote(`Saved ${eventName}.`);
      setSelected(eventName);
      saved.reload();
    } catch (e) {
      setSaveError(e);
    }
  };

  const remove = async () => {
    setSaveError(undefined);
    try {
      await nimbus('DELETE', `${base}/${encodeURIComponent(selected)}`);
      setSelected(NEW);
      setEventName('');
      setSaveNote('Deleted.');
      saved.reload();
    } catch (e) {
      setSaveError(e);
    }
  };

  const invoke = async () => {
    setInvokeError(undefined);
    setRunning(true);
    try {
      const out = await lambda().send(
        new InvokeCommand({
          FunctionName: name,
          ...(qualifier ? { Qualifier: qualifier } : {}),
          InvocationType: invocationType,
          ...(invocationType === 'RequestResponse' ? { LogType: 'Tail' } : {}),
          Payload: new TextEncoder().encode(text),
        }),
      );
      const requestId = out.$metadata.requestId ?? '';
      if (invocationType !== 'RequestResponse') {
        setResult({ ok: true, accepted: invocationType, requestId, payload: '', log: '' });
        return;
      }
      const log = out.LogResult
        ? new TextDecoder().decode(Uint8Array.from(atob(out.LogResult), (c) => c.charCodeAt(0)))
        : '';
      setResult({
        ok: !out.FunctionError,
        requestId,
        ...(out.ExecutedVersion ? { executedVersion: out.ExecutedVersion } : {}),
        ...(out.FunctionError ? { errorType: out.FunctionError } : {}),
        payload: prettyJson(new TextDecoder().decode(out.Payload ?? new Uint8Array())),
        log,
        report: parseReport(log),
      });
    } catch (e) {
      setResult(undefined);
      setInvokeError(e);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="test-tab">
      <div className="card">
        <div className="toolbar">
          <label>
            Saved event
            <select value={selected} onChange={(e) => setSelected(e.target.value)} data-testid="saved-events">
              <option value={NEW}>New event…</option>
              {events.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Template
            <select
              value=""
              onChange={(e) => {
                const s = SAMPLE_EVENTS.find((x) => x.id === e.target.value);
                if (s) setText(sampleText(s));
              }}
            >
              <option value="">Start from a sample event…</option>
              {SAMPLE_EVENTS.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <QualifierSelect name={name} qualifier={qualifier} />
          <label>
            Invocation type
            <select
              name="invocationType"
              value={invocationType}
              onChange={(e) => setInvocationType(e.target.value as InvocationType)}
            >
              <option value="RequestResponse">RequestResponse (wait for the result)</option>
              <option value="Event">Event (asynchronous, queued)</option>
              <option value="DryRun">DryRun (check only)</option>
            </select>
          </label>
          <label>
            Event name
            <input
              name="eventName"
              value={eventName}
              onChange={(e) => setEventName(e.target.value)}
              placeholder="my-event"
            />
          </label>
        </div>
        <Editor label="event" language="json" value={text} onChange={setText} minHeight={180} />
        <FieldError message={saveError ? (saveError as Error).message : undefined} />
        {saveNote ? (
          <p className="muted" data-testid="save-note">
            {saveNote}
          </p>
        ) : null}
        <div className="buttons">
          <button type="button" className="primary" onClick={invoke} disabled={running}>
            {running ? 'Invoking…' : 'Invoke'}
          </button>
          <button type="button" onClick={save}>
            Save
          </button>
          {selected !== NEW ? (
            <button type="button" className="link danger-text" onClick={remove}>
              Delete saved event
            </button>
          ) : null}
        </div>
      </div>
      <ErrorBox error={saved.error ?? invokeError} />
      {result ? <ResultView name={name} result={result} /> : null}
    </div>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** What an invoke answered: queued, allowed (dry run), or the result with its log tail and REPORT. */
function ResultView({ name, result }: { name: string; result: Result }) {
  return result.accepted ? (
    <div className="card result ok" data-testid="invoke-result">
      <h3>
        {result.accepted === 'Event' ? 'Queued' : 'Allowed (dry run)'}{' '}
        <span className="muted">request {result.requestId}</span>
      </h3>
      {result.accepted === 'Event' ? (
        <p>
          The event is queued and runs asynchronously with retries.{' '}
          <Link to={functionPath(name, 'events')}>Follow it on the async events tab →</Link>
        </p>
      ) : (
        <p>The caller may invoke the function; it did not run.</p>
      )}
    </div>
  ) : (
    <div className={`card result ${result.ok ? 'ok' : 'failed'}`} data-testid="invoke-result">
      <h3>
        {result.ok ? 'Succeeded' : `Failed (${result.errorType})`}{' '}
        {result.executedVersion ? <span className="muted">version {result.executedVersion} · </span> : null}
        <span className="muted">
          request{' '}
          <Link to={functionPath(name, 'logs', { requestId: result.requestId })}>{result.requestId}</Link>
        </span>
      </h3>
      {result.report ? (
        <dl className="report" data-testid="report">
          <dt>Duration</dt>
          <dd>{formatMs(result.report.durationMs)}</dd>
          <dt>Billed duration</dt>
          <dd>{result.report.billedMs} ms</dd>
          <dt>Memory</dt>
          <dd>
            {result.report.maxMemoryMb} / {result.report.memoryMb} MB
          </dd>
          {result.report.initDurationMs !== undefined ? (
            <>
              <dt>Init duration</dt>
              <dd>{formatMs(result.report.initDurationMs)}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <h4>Response</h4>
      <pre data-testid="response">{result.payload}</pre>
      <h4>Log output (last 4 KB)</h4>
      <pre className="log" data-testid="log-tail">
        {result.log}
      </pre>
    </div>
  );
}

/** `$LATEST`, the published versions and the aliases; the choice lives in the page's address. */
function QualifierSelect({ name, qualifier }: { name: string; qualifier: string }) {
  const qualifiers = useLoad(async () => {
    const [v, a] = await Promise.all([
      lambda().send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 50 })),
      lambda().send(new ListAliasesCommand({ FunctionName: name, MaxItems: 50 })),
    ]);
    return [
      ...(v.Versions ?? []).map((x) => x.Version ?? '').filter((x) => x !== '$LATEST'),
      ...(a.Aliases ?? []).map((x) => x.Name ?? ''),
    ];
  }, [name]);
  const known = qualifiers.data ?? [];
  return (
    <label>
      Qualifier
      <select
        name="qualifier"
        value={qualifier}
        onChange={(e) =>
          navigate(functionPath(name, 'test', e.target.value ? { qualifier: e.target.value } : {}), true)
        }
      >
        <option value="">$LATEST</option>
        {known.map((q) => (
          <option key={q} value={q}>
            {q}
          </option>
        ))}
        {qualifier && !known.includes(qualifier) ? <option value={qualifier}>{qualifier}</option> : null}
      </select>
    </label>
  );
}
