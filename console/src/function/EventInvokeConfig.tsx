import {
  DeleteFunctionEventInvokeConfigCommand,
  type FunctionEventInvokeConfig,
  GetFunctionEventInvokeConfigCommand,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { type FormEvent, useEffect, useState } from 'react';
import { lambda } from '../api/client';
import { type ApiError, asApiError, fieldOf, isNotFound } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { useLoad } from '../hooks';
import { usePublishedQualifiers } from './qualifiers';

const LATEST = '$LATEST';
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE = 21600;

/** The qualifier a configuration is for: the last part of its qualified function ARN. */
const qualifierOf = (c: FunctionEventInvokeConfig) => (c.FunctionArn ?? '').split(':')[7] ?? LATEST;

/**
 * Asynchronous invocation settings (Put/Get/Delete/ListFunctionEventInvokeConfig(s)) per
 * qualifier, as Lambda keeps them: `$LATEST`, a published version or an alias each has its own
 * retry attempts, maximum event age and OnSuccess / OnFailure destinations (function or queue ARNs).
 */
export function EventInvokeConfig({ name }: { name: string }) {
  const qualifiers = usePublishedQualifiers(name, true);
  const [qualifier, setQualifier] = useState(LATEST);
  const configs = useLoad(
    async (signal) => {
      const all: FunctionEventInvokeConfig[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda().send(
          new ListFunctionEventInvokeConfigsCommand({
            FunctionName: name,
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: signal },
        );
        all.push(...(page.FunctionEventInvokeConfigs ?? []));
        marker = page.NextMarker;
      } while (marker);
      return all;
    },
    [name],
  );
  const current = useLoad(
    async (signal) => {
      try {
        return await lambda().send(
          new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: qualifier }),
          { abortSignal: signal },
        );
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    [name, qualifier],
  );
  const [retries, setRetries] = useState(String(DEFAULT_RETRIES));
  const [maxAge, setMaxAge] = useState(String(DEFAULT_MAX_AGE));
  const [onSuccess, setOnSuccess] = useState('');
  const [onFailure, setOnFailure] = useState('');
  const [error, setError] = useState<ApiError>();
  const [removeError, setRemoveError] = useState<unknown>();
  const [note, setNote] = useState('');

  // The fields show the chosen qualifier's settings (the defaults when it has none).
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new qualifier resets the fields too.
  useEffect(() => {
    const c = current.data;
    if (c === undefined) return;
    setRetries(String(c?.MaximumRetryAttempts ?? DEFAULT_RETRIES));
    setMaxAge(String(c?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE));
    setOnSuccess(c?.DestinationConfig?.OnSuccess?.Destination ?? '');
    setOnFailure(c?.DestinationConfig?.OnFailure?.Destination ?? '');
  }, [current.data, qualifier]);

  const field = error
    ? /destination/i.test(error.message)
      ? 'destinationConfig'
      : fieldOf(error)
    : undefined;
  const at = (f: string) => (field === f ? error?.message : undefined);
  const shown = ['qualifier', 'maximumRetryAttempts', 'maximumEventAgeInSeconds', 'destinationConfig'];
  const toNumber = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const reload = () => {
    current.reload();
    configs.reload();
  };

  const choose = (q: string) => {
    setQualifier(q);
    setError(undefined);
    setNote('');
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNote('');
    try {
      const r = toNumber(retries);
      const age = toNumber(maxAge);
      await lambda().send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: name,
          Qualifier: qualifier,
          ...(r === undefined ? {} : { MaximumRetryAttempts: r }),
          ...(age === undefined ? {} : { MaximumEventAgeInSeconds: age }),
          DestinationConfig: {
            ...(onSuccess.trim() ? { OnSuccess: { Destination: onSuccess.trim() } } : {}),
            ...(onFailure.trim() ? { OnFailure: { Destination: onFailure.trim() } } : {}),
          },
        }),
      );
      setNote('Saved.');
      reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const remove = async (q: string) => {
    setError(undefined);
    setRemoveError(undefined);
    setNote('');
    try {
      await lambda().send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: q }));
      setNote(`Removed the settings of ${q}: the defaults apply (2 retries, 6 hours).`);
      reload();
    } catch (err) {
      setRemoveError(err);
    }
  };

  const rows = configs.data ?? [];
  const options = qualifiers.data ?? [LATEST];
  const c = current.data;
  return (
    <div className="card" data-testid="event-invoke-config">
      <h3>Asynchronous invocation</h3>
      <p className="muted">
        Retries, maximum event age and destinations of asynchronous invocations, for $LATEST, a published
        version or an alias.
      </p>
      <ErrorBox error={configs.error ?? qualifiers.error ?? removeError} />
      {rows.length === 0 && !configs.loading ? (
        <p className="muted">No asynchronous invocation settings: every qualifier uses the defaults.</p>
      ) : rows.length > 0 ? (
        <table className="table" data-testid="event-invoke-configs">
          <thead>
            <tr>
              <th>Qualifier</th>
              <th>Retries</th>
              <th>Maximum age</th>
              <th>On success</th>
              <th>On failure</th>
              <th>Last modified</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <ConfigRow
                key={r.FunctionArn}
                config={r}
                onEdit={() => choose(qualifierOf(r))}
                onRemove={() => remove(qualifierOf(r))}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      <form onSubmit={save} noValidate>
        <div className="toolbar">
          <label>
            Version or alias
            <select name="qualifier" value={qualifier} onChange={(e) => choose(e.target.value)}>
              {(options.includes(qualifier) ? options : [...options, qualifier]).map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
        </div>
        <FieldError message={at('qualifier')} />
        <p className="muted" data-testid="event-invoke-now">
          {c === null
            ? `Not configured for ${qualifier}: events are retried twice and kept for up to 6 hours.`
            : c
              ? `Configured for ${qualifier} (last modified ${c.LastModified?.toLocaleString('en-GB') ?? ''}).`
              : ''}
        </p>
        <ErrorBox error={current.error} />
        <div className="row">
          <label>
            Retry attempts (0–2)
            <input
              name="maximumRetryAttempts"
              inputMode="numeric"
              value={retries}
              onChange={(e) => setRetries(e.target.value)}
            />
            <FieldError message={at('maximumRetryAttempts')} />
          </label>
          <label>
            Maximum event age (seconds, 60–21600)
            <input
              name="maximumEventAgeInSeconds"
              inputMode="numeric"
              value={maxAge}
              onChange={(e) => setMaxAge(e.target.value)}
            />
            <FieldError message={at('maximumEventAgeInSeconds')} />
          </label>
        </div>
        <div className="row">
          <label>
            On success: destination ARN
            <input
              name="onSuccess"
              value={onSuccess}
              placeholder="arn:aws:lambda:…:function:… or arn:aws:sqs:…"
              onChange={(e) => setOnSuccess(e.target.value)}
            />
          </label>
          <label>
            On failure: destination ARN
            <input
              name="onFailure"
              value={onFailure}
              placeholder="arn:aws:lambda:…:function:… or arn:aws:sqs:…"
              onChange={(e) => setOnFailure(e.target.value)}
            />
          </label>
        </div>
        <FieldError message={at('destinationConfig')} />
        {error && !shown.includes(field ?? '') ? <ErrorBox error={error} /> : null}
        <div className="buttons">
          <button type="submit" className="primary">
            Save async settings
          </button>
          {c ? (
            <button type="button" className="link danger-text" onClick={() => remove(qualifier)}>
              Remove
            </button>
          ) : null}
          {note ? (
            <Notice>
              <span data-testid="event-invoke-note">{note}</span>
            </Notice>
          ) : null}
        </div>
      </form>
    </div>
  );
}

/** One qualifier's settings; unset limits are Lambda's defaults. */
function ConfigRow({
  config: c,
  onEdit,
  onRemove,
}: {
  config: FunctionEventInvokeConfig;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const destination = (d: string | undefined) => (d ? <code>{d}</code> : '—');
  return (
    <tr>
      <td>{qualifierOf(c)}</td>
      <td>{c.MaximumRetryAttempts ?? `${DEFAULT_RETRIES} (default)`}</td>
      <td>
        {c.MaximumEventAgeInSeconds === undefined
          ? `${DEFAULT_MAX_AGE} s (default)`
          : `${c.MaximumEventAgeInSeconds} s`}
      </td>
      <td>{destination(c.DestinationConfig?.OnSuccess?.Destination)}</td>
      <td>{destination(c.DestinationConfig?.OnFailure?.Destination)}</td>
      <td>{c.LastModified?.toLocaleString('en-GB')}</td>
      <td>
        <button type="button" className="link" onClick={onEdit}>
          Edit
        </button>{' '}
        <button type="button" className="link danger-text" onClick={onRemove}>
          Remove
        </button>
      </td>
    </tr>
  );
}
