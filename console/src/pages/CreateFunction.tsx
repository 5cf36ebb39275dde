import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { strToU8, type ZippableFile, zipSync } from 'fflate';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { lambda, nimbus } from '../api/client';
import { ApiError, asApiError, fieldOf } from '../api/errors';
import type { RuntimeOffer, ServerStatus } from '../api/types';
import { ErrorBox, FieldError } from '../components/Alert';
import { CallUrl } from '../components/CallUrl';
import { EnvEditor, type EnvRow, toVariables } from '../components/EnvEditor';
import { Editor } from '../components/LazyEditor';
import { SizingFields } from '../components/SizingFields';
import { TriggerPicker } from '../components/TriggerPicker';
import { waitUntilReady } from '../deploy';
import { useLoad } from '../hooks';
import { functionPath, Link, navigate } from '../router';
import { type CreatedTrigger, defaults, type Settings, TRIGGERS, targetOf } from '../triggers';

type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
interface Step {
  label: string;
  state: StepState;
  detail?: string;
}

const STEPS = ['Package the code', 'Create the function', 'Wait until it is Active', 'Set up the trigger'];

/** A Unix mode in a zip entry's external attributes (what keeps a `bootstrap` executable). */
const EXECUTABLE = { os: 3, attrs: 0o100755 << 16 };

const FAMILY_LABELS: Record<string, string> = {
  nodejs: 'Node.js',
  python: 'Python',
  provided: 'Custom runtime',
};

/**
 * The five steps in one form: name, runtime, code (editor or zip), settings, trigger; then deploy
 * with progress. Validation is the server's: its AWS error messages are shown next to the field
 * they name.
 */
export function CreateFunction() {
  const runtimes = useLoad(() => nimbus<{ runtimes: RuntimeOffer[] }>('GET', '/nimbus/v1/runtimes'), []);
  const account = useLoad(() => nimbus<ServerStatus>('GET', '/nimbus/v1/status'), []);
  const offers = runtimes.data?.runtimes ?? [];

  const [name, setName] = useState('');
  const [runtime, setRuntime] = useState('');
  const [source, setSource] = useState<'editor' | 'zip'>('editor');
  const [code, setCode] = useState('');
  const [edited, setEdited] = useState(false);
  const [zip, setZip] = useState<File>();
  const [handler, setHandler] = useState('');
  const [memory, setMemory] = useState('128');
  const [timeout, setTimeoutValue] = useState('3');
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [trigger, setTrigger] = useState('none');
  const [triggerSettings, setTriggerSettings] = useState<Settings>({});
  const [steps, setSteps] = useState<Step[]>();
  const [error, setError] = useState<ApiError>();
  const [errorStep, setErrorStep] = useState(0);
  const [created, setCreated] = useState<string>();
  const [createdTrigger, setCreatedTrigger] = useState<CreatedTrigger>();
  const [buildLog, setBuildLog] = useState<string[]>([]);
  // A function created by this form whose trigger failed: deploying again retries only the trigger.
  const [existing, setExisting] = useState<{ name: string; arn: string }>();

  const offer = offers.find((o) => o.runtime === runtime);
  // The first runtime is the default; a new runtime brings its template unless the code was edited.
  useEffect(() => {
    if (!runtime && offers[0]) setRuntime(offers[0].runtime);
  }, [offers, runtime]);
  useEffect(() => {
    if (!offer) return;
    if (!edited) setCode(offer.template);
    setHandler(offer.handler);
  }, [offer, edited]);

  const kind = TRIGGERS.find((t) => t.id === trigger);
  const triggerFailed = errorStep === 3;
  const triggerField = error && triggerFailed ? (kind?.fieldOf?.(error) ?? fieldOf(error)) : undefined;
  const field = !error
    ? undefined
    : triggerFailed
      ? kind?.fields.some((f) => f.name === triggerField)
        ? triggerField
        : undefined
      : fieldOf(error);
  const fieldError = (f: string) => (!triggerFailed && field === f ? error?.message : undefined);
  const triggerFieldError = (f: string) => (triggerFailed && field === f ? error?.message : undefined);
  const setStep = (i: number, state: StepState, detail?: string) =>
    setSteps((s) => s?.map((x, j) => (j === i ? { ...x, state, ...(detail ? { detail } : {}) } : x)));

  /** Steps 1–3: package, CreateFunction, wait until Active (following a build). */
  const createAndWait = async (progress: { step: number }) => {
    setStep(0, 'running');
    const bytes = await packageCode(source === 'zip' ? zip : undefined, code, offer);
    setStep(0, 'done', `${bytes.length} bytes`);
    progress.step = 1;
    setStep(1, 'running');
    const memorySize = optionalNumber(memory);
    const timeoutSeconds = optionalNumber(timeout);
    const out = await lambda().send(
      new CreateFunctionCommand({
        FunctionName: name.trim(),
        Runtime: runtime as never,
        Handler: handler,
        Role: `arn:aws:iam::${account.data?.accountId ?? '000000000000'}:role/nimbus-console`,
        Code: { ZipFile: bytes },
        ...(memorySize === undefined ? {} : { MemorySize: memorySize }),
        ...(timeoutSeconds === undefined ? {} : { Timeout: timeoutSeconds }),
        ...(env.length ? { Environment: { Variables: toVariables(env) } } : {}),
      }),
    );
    const fn = { name: out.FunctionName ?? name.trim(), arn: out.FunctionArn ?? '' };
    setStep(1, 'done', fn.arn);
    progress.step = 2;
    setStep(2, 'running');
    await waitUntilReady(
      fn.name,
      (st) => setStep(2, 'running', st),
      (lines) => setBuildLog((l) => [...l, ...lines]),
    );
    setStep(2, 'done', 'State: Active');
    setExisting(fn);
    return fn;
  };

  const deploy = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setErrorStep(0);
    setCreated(undefined);
    setCreatedTrigger(undefined);
    if (source === 'zip' && !zip) {
      setError(new ApiError('InvalidParameterValueException', 'Choose a .zip file to upload.', 0));
      return;
    }
    setSteps(STEPS.map((label) => ({ label, state: 'pending' })));
    setBuildLog([]);
    const progress = { step: 0 };
    try {
      // A function this form made whose trigger failed: only the trigger is set up again.
      const again = existing && existing.name === name.trim();
      if (again) for (const i of [0, 1, 2]) setStep(i, 'done', 'already deployed');
      const fn = again ? existing : await createAndWait(progress);
      progress.step = 3;
      setStep(3, kind?.create ? 'running' : 'skipped', kind?.create ? undefined : 'No trigger');
      const t = await kind?.create?.(targetOf(fn.arn), triggerSettings);
      if (t) {
        setCreatedTrigger(t);
        setStep(3, 'done', t.message);
      }
      setExisting(undefined);
      setCreated(fn.name);
    } catch (err) {
      setStep(progress.step, 'failed');
      setErrorStep(progress.step);
      setError(asApiError(err));
    }
  };

  return (
    <div className="page">
      <h1>Create function</h1>
      <form onSubmit={deploy} className="create" noValidate>
        <Section n={1} title="Name">
          <label>
            Function name
            <input
              name="functionName"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="my-function"
              autoComplete="off"
            />
          </label>
          <p className="muted">Letters, numbers, hyphens and underscores; up to 64 characters.</p>
          <FieldError message={fieldError('functionName')} />
        </Section>

        <Section n={2} title="Runtime">
          <ErrorBox error={runtimes.error} />
          <select name="runtime" value={runtime} onChange={(e) => setRuntime(e.target.value)}>
            {[...new Set(offers.map((o) => o.family))].map((family) => (
              <optgroup key={family} label={FAMILY_LABELS[family] ?? family}>
                {offers
                  .filter((o) => o.family === family)
                  .map((o) => (
                    <option key={o.runtime} value={o.runtime}>
                      {o.runtime}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
          <FieldError message={fieldError('runtime')} />
        </Section>

        <Section n={3} title="Code">
          <div className="radios">
            <label>
              <input type="radio" checked={source === 'editor'} onChange={() => setSource('editor')} /> Write
              it here
            </label>
            <label>
              <input type="radio" checked={source === 'zip'} onChange={() => setSource('zip')} /> Upload a
              .zip
            </label>
          </div>
          {source === 'editor' ? (
            <>
              <div className="file-tab">{offer?.fileName ?? 'index.mjs'}</div>
              <Editor
                label="code"
                value={code}
                language={offer?.language ?? 'javascript'}
                onChange={(v) => {
                  setCode(v);
                  setEdited(true);
                }}
              />
            </>
          ) : (
            <input
              type="file"
              name="zip"
              accept=".zip,application/zip"
              onChange={(e) => setZip(e.target.files?.[0])}
            />
          )}
          <label>
            Handler
            <input name="handler" value={handler} onChange={(e) => setHandler(e.target.value)} />
          </label>
          <FieldError message={fieldError('handler') ?? fieldError('code') ?? fieldError('zipFile')} />
        </Section>

        <Section n={4} title="Settings">
          <div className="row">
            <SizingFields
              memory={memory}
              timeout={timeout}
              onMemory={setMemory}
              onTimeout={setTimeoutValue}
              fieldError={fieldError}
            />
          </div>
          <div className="label">Environment variables</div>
          <EnvEditor rows={env} onChange={setEnv} />
          <FieldError message={fieldError('environment')} />
        </Section>

        <Section n={5} title="Trigger">
          <TriggerPicker
            kind={trigger}
            settings={triggerSettings}
            onKind={(id) => {
              setTrigger(id);
              setTriggerSettings(defaults(TRIGGERS.find((t) => t.id === id)));
            }}
            onChange={setTriggerSettings}
            fieldError={triggerFieldError}
          />
        </Section>

        <div className="deploy">
          <button
            type="submit"
            className="primary"
            disabled={!offer || steps?.some((s) => s.state === 'running')}
          >
            Deploy
          </button>
          <DeployStatus
            steps={steps}
            buildLog={buildLog}
            error={error}
            errorStep={errorStep}
            field={field}
            functionName={name.trim()}
            existing={existing?.name}
            created={created}
            createdTrigger={createdTrigger}
          />
        </div>
      </form>
    </div>
  );
}

/** The deploy's progress, build log, error and outcome. */
function DeployStatus(props: {
  steps: Step[] | undefined;
  buildLog: string[];
  error: ApiError | undefined;
  errorStep: number;
  field: string | undefined;
  functionName: string;
  existing: string | undefined;
  created: string | undefined;
  createdTrigger: CreatedTrigger | undefined;
}) {
  const { error, created, createdTrigger } = props;
  return (
    <>
      {props.steps ? (
        <ol className="progress" data-testid="deploy-progress">
          {props.steps.map((s) => (
            <li key={s.label} className={`step-${s.state}`}>
              <span className="step-state">{s.state}</span> {s.label}
              {s.detail ? <span className="muted"> — {s.detail}</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {props.buildLog.length ? (
        <pre className="log build-log" data-testid="build-log">
          {props.buildLog.join('\n')}
        </pre>
      ) : null}
      {error && !props.field ? <ErrorBox error={error} title="Deployment failed" /> : null}
      {error && props.errorStep === 2 ? (
        <p>
          The function exists but is not Active.{' '}
          <Link to={functionPath(props.functionName, 'code')}>Fix its code and deploy it again →</Link>
        </p>
      ) : null}
      {error && props.field ? (
        <p className="field-error">
          Fix the field marked above and deploy again
          {props.existing ? ` (${props.existing} is deployed; only the trigger is set up again)` : ''}.
        </p>
      ) : null}
      {created ? (
        <div className="alert alert-success" data-testid="deployed">
          <strong>{created}</strong> is deployed.{' '}
          <Link to={functionPath(created, 'test')}>Open it and run a test →</Link>
          <button type="button" className="link" onClick={() => navigate(functionPath(created))}>
            Monitor
          </button>
          {createdTrigger?.url || createdTrigger?.callPath ? (
            <CallUrl url={createdTrigger.url} callPath={createdTrigger.callPath} />
          ) : null}
        </div>
      ) : null}
    </>
  );
}

const optionalNumber = (v: string) => (v.trim() === '' ? undefined : Number(v));

/** The deployment package: the uploaded zip, or the editor's text as the runtime's one file. */
async function packageCode(zip: File | undefined, code: string, offer: RuntimeOffer | undefined) {
  if (zip) return new Uint8Array(await zip.arrayBuffer());
  const file: ZippableFile = offer?.executable ? [strToU8(code), EXECUTABLE] : strToU8(code);
  return zipSync({ [offer?.fileName ?? 'index.mjs']: file });
}

function Section(props: { n: number; title: string; children: ReactNode }) {
  return (
    <section className="step card">
      <h2>
        <span className="step-n">{props.n}</span> {props.title}
      </h2>
      {props.children}
    </section>
  );
}
