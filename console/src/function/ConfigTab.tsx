import { type FunctionConfiguration, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { type FormEvent, useState } from 'react';
import { lambda } from '../api/client';
import { type ApiError, asApiError, fieldOf } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { EnvEditor, fromVariables, toVariables } from '../components/EnvEditor';
import { SizingFields } from '../components/SizingFields';
import { waitUntilReady } from '../deploy';
import { formatBytes } from '../format';
import { ProvisionedConcurrency, ReservedConcurrency } from './Concurrency';
import { EventInvokeConfig } from './EventInvokeConfig';

/**
 * The configuration, editable with UpdateFunctionConfiguration; reserved and provisioned
 * concurrency; asynchronous invocation. The API's messages show inline.
 */
export function ConfigTab({ config, onSaved }: { config: FunctionConfiguration; onSaved: () => void }) {
  const [memory, setMemory] = useState(String(config.MemorySize ?? 128));
  const [timeout, setTimeoutValue] = useState(String(config.Timeout ?? 3));
  const [handler, setHandler] = useState(config.Handler ?? '');
  const [description, setDescription] = useState(config.Description ?? '');
  const [logFormat, setLogFormat] = useState(config.LoggingConfig?.LogFormat ?? 'Text');
  const [env, setEnv] = useState(fromVariables(config.Environment?.Variables));
  const [error, setError] = useState<ApiError>();
  const [state, setState] = useState('');

  const field = error ? fieldOf(error) : undefined;
  const fieldError = (f: string) => (field === f ? error?.message : undefined);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setState('Saving…');
    try {
      await lambda().send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: config.FunctionName,
          MemorySize: Number(memory),
          Timeout: Number(timeout),
          Handler: handler,
          Description: description,
          LoggingConfig: { LogFormat: logFormat },
          Environment: { Variables: toVariables(env) },
          ...(config.RevisionId ? { RevisionId: config.RevisionId } : {}),
        }),
      );
      await waitUntilReady(config.FunctionName!, setState);
      setState('Saved.');
      onSaved();
    } catch (err) {
      setState('');
      setError(asApiError(err));
    }
  };

  return (
    <div className="config-tab">
      <dl className="facts card">
        <dt>ARN</dt>
        <dd>
          <code>{config.FunctionArn}</code>
        </dd>
        <dt>Runtime</dt>
        <dd>{config.Runtime}</dd>
        <dt>Architecture</dt>
        <dd>{config.Architectures?.join(', ')}</dd>
        <dt>Code</dt>
        <dd>
          {formatBytes(config.CodeSize ?? 0)} · SHA-256 <code>{config.CodeSha256}</code>
        </dd>
        <dt>Last modified</dt>
        <dd>{config.LastModified}</dd>
        <dt>State</dt>
        <dd>
          {config.State} / {config.LastUpdateStatus}
        </dd>
        <dt>Log group</dt>
        <dd>
          <code>{config.LoggingConfig?.LogGroup}</code>
        </dd>
      </dl>
      <form className="card" onSubmit={save} noValidate>
        <h3>General configuration</h3>
        <div className="row">
          <SizingFields
            memory={memory}
            timeout={timeout}
            onMemory={setMemory}
            onTimeout={setTimeoutValue}
            fieldError={fieldError}
          />
          <label>
            Log format
            <select
              name="logFormat"
              value={logFormat}
              onChange={(e) => setLogFormat(e.target.value as 'Text' | 'JSON')}
            >
              <option value="Text">Text</option>
              <option value="JSON">JSON</option>
            </select>
          </label>
        </div>
        <label>
          Handler
          <input name="handler" value={handler} onChange={(e) => setHandler(e.target.value)} />
          <FieldError message={fieldError('handler')} />
        </label>
        <label>
          Description
          <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
          <FieldError message={fieldError('description')} />
        </label>
        <div className="label">Environment variables</div>
        <EnvEditor rows={env} onChange={setEnv} />
        <FieldError message={fieldError('environment')} />
        {error && !field ? <ErrorBox error={error} /> : null}
        <div className="buttons">
          <button type="submit" className="primary">
            Save
          </button>
          {state ? <Notice>{state}</Notice> : null}
        </div>
      </form>
      <ReservedConcurrency name={config.FunctionName ?? ''} />
      <ProvisionedConcurrency name={config.FunctionName ?? ''} />
      <EventInvokeConfig name={config.FunctionName ?? ''} />
    </div>
  );
}
