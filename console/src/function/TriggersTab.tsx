import { useState } from 'react';
import { type ApiError, asApiError, fieldOf } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { CallUrl } from '../components/CallUrl';
import { TriggerPicker } from '../components/TriggerPicker';
import { useInterval, useLoad } from '../hooks';
import { defaults, type FunctionTarget, listTriggers, type Settings, TRIGGERS } from '../triggers';

const ADDABLE = TRIGGERS.filter((t) => t.create);

/**
 * A function's triggers from every API that holds some (function URLs, HTTP API routes, bucket
 * notifications, event source mappings with their lag and last error), and a form to add one.
 */
export default function TriggersTab({ fn }: { fn: FunctionTarget }) {
  const triggers = useLoad(() => listTriggers(fn), [fn.arn]);
  useInterval(() => triggers.reload(), 5000);
  const [kindId, setKindId] = useState(ADDABLE[0]!.id);
  const [settings, setSettings] = useState<Settings>(defaults(ADDABLE[0]));
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>();
  const kind = ADDABLE.find((k) => k.id === kindId);
  const field = error ? (kind?.fieldOf?.(error) ?? fieldOf(error)) : undefined;
  const shownField = field && kind?.fields.some((f) => f.name === field) ? field : undefined;

  const add = async () => {
    if (!kind?.create) return;
    setError(undefined);
    setNote('');
    setBusy(true);
    try {
      const t = await kind.create(fn, settings);
      setNote(t.message);
      triggers.reload();
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const rows = triggers.data ?? [];
  return (
    <div className="triggers-tab">
      <ErrorBox error={triggers.error ?? removeError} />
      <div className="card">
        <h3>Triggers</h3>
        {rows.length === 0 && !triggers.loading ? (
          <p className="muted">No triggers yet: add one below.</p>
        ) : (
          <table className="table" data-testid="triggers">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Source</th>
                <th>State</th>
                <th>Last result</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.kind}:${r.id}`}>
                  <td>{r.kind}</td>
                  <td>
                    {r.url ? <CallUrl url={r.url} callPath={r.callPath} /> : <code>{r.source}</code>}
                    {r.url && r.kind !== 'Function URL' ? (
                      <div className="muted small">{r.source}</div>
                    ) : null}
                    {r.details ? <div className="muted small">{r.details}</div> : null}
                  </td>
                  <td>
                    <span className={`badge state-${r.state}`}>{r.state}</span>
                  </td>
                  <td>
                    {r.lastResult ?? '—'}
                    {r.lastError ? <div className="field-error">Last error: {r.lastError}</div> : null}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link danger-text"
                      onClick={async () => {
                        if (!window.confirm(`Remove this ${r.kind.toLowerCase()} trigger?`)) return;
                        setRemoveError(undefined);
                        try {
                          await r.remove();
                          triggers.reload();
                        } catch (e) {
                          setRemoveError(e);
                        }
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="card" data-testid="add-trigger">
        <h3>Add a trigger</h3>
        <TriggerPicker
          kinds={ADDABLE}
          kind={kindId}
          settings={settings}
          onKind={(id) => {
            setKindId(id);
            setSettings(defaults(ADDABLE.find((k) => k.id === id)));
            setError(undefined);
          }}
          onChange={setSettings}
          fieldError={(f) => (shownField === f ? error?.message : undefined)}
        />
        {error && !shownField ? <ErrorBox error={error} /> : null}
        {error && shownField ? <FieldError message="Fix the field marked above." /> : null}
        <div className="buttons">
          <button type="button" className="primary" onClick={add} disabled={busy}>
            {busy ? 'Adding…' : 'Add trigger'}
          </button>
          {note ? (
            <Notice kind="success">
              <span data-testid="trigger-added">{note}</span>
            </Notice>
          ) : null}
        </div>
      </div>
    </div>
  );
}
