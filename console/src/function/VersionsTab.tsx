import {
  type AliasConfiguration,
  CreateAliasCommand,
  DeleteAliasCommand,
  type FunctionConfiguration,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { type FormEvent, useState } from 'react';
import { lambda } from '../api/client';
import { ApiError, asApiError, fieldOf } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { Pager } from '../components/Pager';
import { formatBytes } from '../format';
import { useLoad, usePages } from '../hooks';
import { functionPath, Link } from '../router';

const PAGE = 20;

/** Versions (ListVersionsByFunction, PublishVersion) and aliases with weighted routing. */
export default function VersionsTab({ name }: { name: string }) {
  const pages = usePages<string>();
  const marker = pages.current;
  const versions = useLoad(
    (signal) =>
      lambda().send(
        new ListVersionsByFunctionCommand({
          FunctionName: name,
          MaxItems: PAGE,
          ...(marker ? { Marker: marker } : {}),
        }),
        { abortSignal: signal },
      ),
    [name, marker],
  );
  const aliases = useLoad(
    async (signal) => {
      const all: AliasConfiguration[] = [];
      let m: string | undefined;
      do {
        const page = await lambda().send(
          new ListAliasesCommand({ FunctionName: name, ...(m ? { Marker: m } : {}) }),
          { abortSignal: signal },
        );
        all.push(...(page.Aliases ?? []));
        m = page.NextMarker;
      } while (m);
      return all;
    },
    [name],
  );
  const [description, setDescription] = useState('');
  const [publishError, setPublishError] = useState<ApiError>();
  const [note, setNote] = useState('');
  const [editing, setEditing] = useState<AliasConfiguration | 'new'>();

  const publish = async () => {
    setPublishError(undefined);
    setNote('');
    try {
      const v = await lambda().send(
        new PublishVersionCommand({
          FunctionName: name,
          ...(description ? { Description: description } : {}),
        }),
      );
      setNote(`Published version ${v.Version}.`);
      setDescription('');
      pages.reset();
      versions.reload();
    } catch (e) {
      setPublishError(asApiError(e));
    }
  };

  const list: FunctionConfiguration[] = versions.data?.Versions ?? [];
  const numbers = list.map((v) => v.Version ?? '').filter((v) => v !== '$LATEST');
  return (
    <div className="versions-tab">
      <div className="card">
        <h3>Versions</h3>
        <div className="toolbar">
          <label>
            Description
            <input
              name="versionDescription"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              placeholder="what changed"
            />
          </label>
          <button type="button" className="primary" onClick={publish}>
            Publish new version
          </button>
          {note ? (
            <Notice kind="success">
              <span data-testid="publish-note">{note}</span>
            </Notice>
          ) : null}
        </div>
        <FieldError
          message={publishError && fieldOf(publishError) === 'description' ? publishError.message : undefined}
        />
        {publishError && fieldOf(publishError) !== 'description' ? <ErrorBox error={publishError} /> : null}
        <ErrorBox error={versions.error} />
        <table className="table" data-testid="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Description</th>
              <th>Runtime</th>
              <th>Code</th>
              <th>Last modified</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.Version}>
                <td>
                  <strong>{v.Version}</strong>
                </td>
                <td>{v.Description}</td>
                <td>{v.Runtime}</td>
                <td>
                  {formatBytes(v.CodeSize ?? 0)} <code className="small">{v.CodeSha256?.slice(0, 12)}</code>
                </td>
                <td>{v.LastModified}</td>
                <td>
                  <Link to={functionPath(name, 'test', { qualifier: v.Version ?? '' })}>Test</Link>
                  {' · '}
                  <Link to={functionPath(name, 'monitor', { version: v.Version ?? '' })}>Monitor</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager pages={pages} next={versions.data?.NextMarker} />
      </div>

      <div className="card">
        <h3>Aliases</h3>
        <ErrorBox error={aliases.error} />
        {(aliases.data ?? []).length === 0 ? (
          <p className="muted">
            No aliases. An alias names a version (and can split traffic with a second one).
          </p>
        ) : (
          <table className="table" data-testid="aliases">
            <thead>
              <tr>
                <th>Alias</th>
                <th>Version</th>
                <th>Routing</th>
                <th>Description</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(aliases.data ?? []).map((a) => (
                <tr key={a.Name}>
                  <td>
                    <strong>{a.Name}</strong>
                  </td>
                  <td>{a.FunctionVersion}</td>
                  <td>{routingText(a)}</td>
                  <td>{a.Description}</td>
                  <td>
                    <button type="button" className="link" onClick={() => setEditing(a)}>
                      Edit
                    </button>
                    {' · '}
                    <Link to={functionPath(name, 'test', { qualifier: a.Name ?? '' })}>Test</Link>
                    {' · '}
                    <button
                      type="button"
                      className="link danger-text"
                      onClick={async () => {
                        if (!window.confirm(`Delete alias ${a.Name}?`)) return;
                        try {
                          await lambda().send(new DeleteAliasCommand({ FunctionName: name, Name: a.Name }));
                          aliases.reload();
                        } catch (e) {
                          setPublishError(asApiError(e));
                        }
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {editing ? (
          <AliasForm
            key={editing === 'new' ? 'new' : editing.Name}
            name={name}
            alias={editing === 'new' ? undefined : editing}
            versions={numbers}
            onDone={() => {
              setEditing(undefined);
              aliases.reload();
            }}
          />
        ) : (
          <button type="button" onClick={() => setEditing('new')}>
            Create alias
          </button>
        )}
      </div>
    </div>
  );
}

function routingText(a: AliasConfiguration): string {
  const weights = Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (weights.length === 0) return `100% → ${a.FunctionVersion}`;
  const extra = weights.reduce((n, [, w]) => n + w, 0);
  return [
    `${Math.round((1 - extra) * 1000) / 10}% → ${a.FunctionVersion}`,
    ...weights.map(([v, w]) => `${Math.round(w * 1000) / 10}% → ${v}`),
  ].join(', ');
}

/** Create or update an alias; AWS's validation messages show at the field they name. */
function AliasForm(props: {
  name: string;
  alias?: AliasConfiguration | undefined;
  versions: string[];
  onDone: () => void;
}) {
  const a = props.alias;
  const firstWeight = Object.entries(a?.RoutingConfig?.AdditionalVersionWeights ?? {})[0];
  const [aliasName, setAliasName] = useState(a?.Name ?? '');
  const [version, setVersion] = useState(a?.FunctionVersion ?? props.versions[0] ?? '$LATEST');
  const [description, setDescription] = useState(a?.Description ?? '');
  const [extraVersion, setExtraVersion] = useState(firstWeight?.[0] ?? '');
  const [weight, setWeight] = useState(firstWeight ? String(firstWeight[1]) : '');
  const [error, setError] = useState<ApiError>();
  const field = error ? fieldOf(error) : undefined;
  const fieldError = (f: string) => (field === f ? error?.message : undefined);
  const options = ['$LATEST', ...props.versions];

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const w = Number(weight);
    if (extraVersion && (weight.trim() === '' || !Number.isFinite(w))) {
      setError(
        new ApiError(
          'InvalidParameterValueException',
          `Value '${weight}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: the weight must be a number from 0.0 to 1.0`,
          400,
        ),
      );
      return;
    }
    const routing = extraVersion
      ? { RoutingConfig: { AdditionalVersionWeights: { [extraVersion]: w } } }
      : a
        ? { RoutingConfig: { AdditionalVersionWeights: {} } }
        : {};
    try {
      if (a) {
        await lambda().send(
          new UpdateAliasCommand({
            FunctionName: props.name,
            Name: a.Name,
            FunctionVersion: version,
            Description: description,
            ...routing,
            ...(a.RevisionId ? { RevisionId: a.RevisionId } : {}),
          }),
        );
      } else {
        await lambda().send(
          new CreateAliasCommand({
            FunctionName: props.name,
            Name: aliasName.trim(),
            FunctionVersion: version,
            ...(description ? { Description: description } : {}),
            ...routing,
          }),
        );
      }
      props.onDone();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <form className="alias-form" onSubmit={save} noValidate data-testid="alias-form">
      <h4>{a ? `Edit alias ${a.Name}` : 'New alias'}</h4>
      <div className="row">
        <label>
          Name
          <input
            name="aliasName"
            value={aliasName}
            disabled={!!a}
            onChange={(e) => setAliasName(e.target.value)}
          />
          <FieldError message={fieldError('name')} />
        </label>
        <label>
          Version
          <select name="functionVersion" value={version} onChange={(e) => setVersion(e.target.value)}>
            {options.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
          <FieldError message={fieldError('functionVersion')} />
        </label>
        <label>
          Description
          <input
            name="aliasDescription"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <FieldError message={fieldError('description')} />
        </label>
      </div>
      <div className="row">
        <label>
          Weighted routing: second version
          <select
            name="additionalVersion"
            value={extraVersion}
            onChange={(e) => setExtraVersion(e.target.value)}
          >
            <option value="">none</option>
            {props.versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Its weight (0–1)
          <input
            name="weight"
            inputMode="decimal"
            value={weight}
            disabled={!extraVersion}
            placeholder="0.1"
            onChange={(e) => setWeight(e.target.value)}
          />
          <FieldError message={fieldError('routingConfig')} />
        </label>
      </div>
      {error && !['name', 'functionVersion', 'description', 'routingConfig'].includes(field ?? '') ? (
        <ErrorBox error={error} />
      ) : null}
      <div className="buttons">
        <button type="submit" className="primary">
          {a ? 'Save alias' : 'Create alias'}
        </button>
        <button type="button" className="link" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
