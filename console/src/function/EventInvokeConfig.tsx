import {
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { type FormEvent, useEffect, useState } from 'react';
import { lambda } from '../api/client';
import { type ApiError, asApiError, fieldOf, isNotFound } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { useLoad } from '../hooks';

/**
 * Asynchronous invocation settings (Put/Get/DeleteFunctionEventInvokeConfig): retry attempts,
 * maximum event age, and the OnSuccess / OnFailure destinations (function or queue ARNs).
 */
export function EventInvokeConfig({ name }: { name: string }) {
  const current = useLoad(
    async (signal) => {
      try {
        return await lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }), {
          abortSignal: signal,
        });
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    [name],
  );
  const [retries, setRetries] = useState('2');
  const [maxAge, setMaxAge] = useState('21600');
  const [onSuccess, setOnSuccess] = useState('');
  const [onFailure, setOnFailure] = useState('');
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState('');

  useEffect(() => {
    const c = current.data;
    if (c === undefined) return;
    setRetries(String(c?.MaximumRetryAttempts ?? 2));
    setMaxAge(String(c?.MaximumEventAgeInSeconds ?? 21600));
    setOnSuccess(c?.DestinationConfig?.OnSuccess?.Destination ?? '');
    setOnFailure(c?.DestinationConfig?.OnFailure?.Destination ?? '');
  }, [current.data]);

  const field = error
    ? /destination/i.test(error.message)
      ? 'destinationConfig'
      : fieldOf(error)
    : undefined;
  const at = (f: string) => (field === f ? error?.message : undefined);
  const shown = ['maximumRetryAttempts', 'maximumEventAgeInSeconds', 'destinationConfig'];
  const toNumber = (v: string) => (v.trim() === '' ? undefined : Number(v));

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
          ...(r === undefined ? {} : { MaximumRetryAttempts: r }),
          ...(age === undefined ? {} : { MaximumEventAgeInSeconds: age }),
          DestinationConfig: {
            ...(onSuccess.trim() ? { OnSuccess: { Destination: onSuccess.trim() } } : {}),
            ...(onFailure.trim() ? { OnFailure: { Destination: onFailure.trim() } } : {}),
          },
        }),
      );
      setNote('Saved.');
      current.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const remove = async () => {
    setError(undefined);
    try {
      await lambda().send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
      setNote('Removed: the defaults apply (2 retries, 6 hours).');
      current.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <form className="card" onSubmit={save} noValidate data-testid="event-invoke-config">
      <h3>Asynchronous invocation</h3>
      <p className="muted">
        {current.data === null
          ? 'Not configured: events are retried twice and kept for up to 6 hours.'
          : current.data
            ? `Configured (last modified ${current.data.LastModified?.toLocaleString('en-GB') ?? ''}).`
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
        {current.data ? (
          <button type="button" className="link danger-text" onClick={remove}>
            Remove
          </button>
        ) : null}
        {note ? <Notice>{note}</Notice> : null}
      </div>
    </form>
  );
}
