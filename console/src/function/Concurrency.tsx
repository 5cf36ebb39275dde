import {
  DeleteFunctionConcurrencyCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  ListProvisionedConcurrencyConfigsCommand,
  type ProvisionedConcurrencyConfigListItem,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { type FormEvent, useState } from 'react';
import { lambda } from '../api/client';
import { ApiError, asApiError, fieldOf } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { useInterval, useLoad } from '../hooks';
import { usePublishedQualifiers } from './qualifiers';

/** A whole number typed in a field, or the API's own kind of message naming that field. */
function wholeNumber(value: string, member: string): number {
  const v = value.trim();
  if (!/^-?\d+$/.test(v)) {
    throw new ApiError(
      'InvalidParameterValueException',
      `Value '${v}' at '${member}' failed to satisfy constraint: Member must be a whole number`,
      400,
    );
  }
  return Number(v);
}

/**
 * Reserved concurrency (Put/Get/DeleteFunctionConcurrency): the most instances the function runs
 * at once, set aside from the account's pool; 0 stops it from running.
 */
export function ReservedConcurrency({ name }: { name: string }) {
  const current = useLoad(
    async (signal) => {
      const [r, account] = await Promise.all([
        lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: name }), { abortSignal: signal }),
        lambda().send(new GetAccountSettingsCommand({}), { abortSignal: signal }),
      ]);
      return { reserved: r.ReservedConcurrentExecutions, limit: account.AccountLimit };
    },
    [name],
  );
  const [value, setValue] = useState('');
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState('');
  const field = error
    ? /ReservedConcurrentExecutions|ConcurrentExecutions/.test(error.message)
      ? 'reservedConcurrentExecutions'
      : fieldOf(error)
    : undefined;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNote('');
    try {
      const n = wholeNumber(value, 'reservedConcurrentExecutions');
      const out = await lambda().send(
        new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: n }),
      );
      setNote(`Reserved ${out.ReservedConcurrentExecutions}.`);
      setValue('');
      current.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const remove = async () => {
    setError(undefined);
    try {
      await lambda().send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
      setNote("Removed: the function uses the account's unreserved concurrency.");
      current.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const d = current.data;
  return (
    <form className="card" onSubmit={save} noValidate data-testid="reserved-concurrency">
      <h3>Reserved concurrency</h3>
      <p className="muted" data-testid="reserved-now">
        {d === undefined
          ? ''
          : d.reserved === undefined
            ? `Unreserved: it shares the account's ${d.limit?.UnreservedConcurrentExecutions ?? '?'} unreserved concurrent executions (of ${d.limit?.ConcurrentExecutions ?? '?'}).`
            : d.reserved === 0
              ? 'Reserved 0: the function is throttled, it does not run.'
              : `Reserved ${d.reserved} concurrent executions (of the account's ${d.limit?.ConcurrentExecutions ?? '?'}).`}
      </p>
      <ErrorBox error={current.error} />
      <div className="toolbar">
        <label>
          Reserve concurrency
          <input
            name="reservedConcurrentExecutions"
            inputMode="numeric"
            value={value}
            placeholder={d?.reserved === undefined ? 'e.g. 10' : String(d.reserved)}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <button type="submit" className="primary">
          Save reservation
        </button>
        {d?.reserved !== undefined ? (
          <button type="button" className="link danger-text" onClick={remove}>
            Remove reservation
          </button>
        ) : null}
        {note ? (
          <Notice>
            <span data-testid="reserved-note">{note}</span>
          </Notice>
        ) : null}
      </div>
      <FieldError message={field === 'reservedConcurrentExecutions' ? error?.message : undefined} />
      {error && field !== 'reservedConcurrentExecutions' ? <ErrorBox error={error} /> : null}
    </form>
  );
}

const qualifierOf = (c: ProvisionedConcurrencyConfigListItem) => (c.FunctionArn ?? '').split(':')[7] ?? '';

/**
 * Provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfig(s)) on a published
 * version or an alias, as AWS has it: each configuration keeps that many sandboxes initialised,
 * IN_PROGRESS until they are, then READY, or FAILED when the function's init fails.
 */
export function ProvisionedConcurrency({ name }: { name: string }) {
  const configs = useLoad(
    async (signal) => {
      const all: ProvisionedConcurrencyConfigListItem[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda().send(
          new ListProvisionedConcurrencyConfigsCommand({
            FunctionName: name,
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: signal },
        );
        all.push(...(page.ProvisionedConcurrencyConfigs ?? []));
        marker = page.NextMarker;
      } while (marker);
      return all;
    },
    [name],
  );
  // What provisioned concurrency can be set on: the published versions and the aliases.
  const qualifiers = usePublishedQualifiers(name);
  const rows = configs.data ?? [];
  // Follows an allocation until it is READY or FAILED.
  useInterval(
    () => configs.reload(),
    1000,
    rows.some((c) => c.Status === 'IN_PROGRESS'),
  );

  const [qualifier, setQualifier] = useState('');
  const [count, setCount] = useState('1');
  const [error, setError] = useState<ApiError>();
  const [removeError, setRemoveError] = useState<unknown>();
  const [note, setNote] = useState('');
  const options = qualifiers.data ?? [];
  const chosen = qualifier || options[0] || '';
  const field = error
    ? /Provisioned Concurrency should not be greater|ConcurrentExecutions/.test(error.message)
      ? 'provisionedConcurrentExecutions'
      : /alias|version|qualifier/i.test(error.message)
        ? 'qualifier'
        : fieldOf(error)
    : undefined;
  const at = (f: string) => (field === f ? error?.message : undefined);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNote('');
    try {
      const n = wholeNumber(count, 'provisionedConcurrentExecutions');
      const out = await lambda().send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: name,
          Qualifier: chosen,
          ProvisionedConcurrentExecutions: n,
        }),
      );
      setNote(`Provisioning ${n} for ${chosen}: ${out.Status}.`);
      configs.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <div className="card" data-testid="provisioned-concurrency">
      <h3>Provisioned concurrency</h3>
      <p className="muted">
        Sandboxes kept initialised for a published version or an alias, so that its invocations start warm.
      </p>
      <ErrorBox error={configs.error ?? qualifiers.error ?? removeError} />
      {rows.length === 0 && !configs.loading ? (
        <p className="muted">No provisioned concurrency.</p>
      ) : rows.length > 0 ? (
        <table className="table" data-testid="provisioned-configs">
          <thead>
            <tr>
              <th>Qualifier</th>
              <th>Requested</th>
              <th>Allocated</th>
              <th>Status</th>
              <th>Last modified</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <ConfigRow
                key={c.FunctionArn}
                config={c}
                onRemove={async () => {
                  setRemoveError(undefined);
                  try {
                    await lambda().send(
                      new DeleteProvisionedConcurrencyConfigCommand({
                        FunctionName: name,
                        Qualifier: qualifierOf(c),
                      }),
                    );
                    setNote(`Removed the provisioned concurrency of ${qualifierOf(c)}.`);
                    configs.reload();
                  } catch (err) {
                    setRemoveError(err);
                  }
                }}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      <form onSubmit={save} noValidate>
        {options.length === 0 && !qualifiers.loading ? (
          <p className="muted">Publish a version or create an alias first: $LATEST cannot have any.</p>
        ) : null}
        <div className="toolbar">
          <label>
            Version or alias
            <select name="qualifier" value={chosen} onChange={(e) => setQualifier(e.target.value)}>
              {options.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
          <label>
            Provisioned concurrency
            <input
              name="provisionedConcurrentExecutions"
              inputMode="numeric"
              value={count}
              onChange={(e) => setCount(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={options.length === 0}>
            Save provisioned concurrency
          </button>
          {note ? (
            <Notice>
              <span data-testid="provisioned-note">{note}</span>
            </Notice>
          ) : null}
        </div>
        <FieldError message={at('qualifier')} />
        <FieldError message={at('provisionedConcurrentExecutions')} />
        {error && field !== 'qualifier' && field !== 'provisionedConcurrentExecutions' ? (
          <ErrorBox error={error} />
        ) : null}
      </form>
    </div>
  );
}

/** One configuration: what is requested, what is initialised, and its status (with the reason). */
function ConfigRow({
  config: c,
  onRemove,
}: {
  config: ProvisionedConcurrencyConfigListItem;
  onRemove: () => void;
}) {
  return (
    <tr>
      <td>{qualifierOf(c)}</td>
      <td>{c.RequestedProvisionedConcurrentExecutions}</td>
      <td>
        {c.AllocatedProvisionedConcurrentExecutions} ({c.AvailableProvisionedConcurrentExecutions} available)
      </td>
      <td>
        <span className={`badge state-${c.Status}`}>{c.Status}</span>
        {c.StatusReason ? <div className="field-error">{c.StatusReason}</div> : null}
      </td>
      <td>{c.LastModified}</td>
      <td>
        <button type="button" className="link danger-text" onClick={onRemove}>
          Remove
        </button>
      </td>
    </tr>
  );
}
