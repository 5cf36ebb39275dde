import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
} from '@aws-sdk/client-lambda';
import { lazy, Suspense, useState } from 'react';
import { lambda } from '../api/client';
import { isNotFound } from '../api/errors';
import { ErrorBox } from '../components/Alert';
import { CodeTab } from '../function/CodeTab';
import { ConfigTab } from '../function/ConfigTab';
import { InvocationsTab } from '../function/InvocationsTab';
import { LogsTab } from '../function/LogsTab';
import { MonitorTab } from '../function/MonitorTab';
import { TestTab } from '../function/TestTab';
import { useLoad } from '../hooks';
import { functionPath, Link, navigate, useRoute } from '../router';
import { targetOf } from '../triggers';

// Loaded when opened: the triggers tab brings the S3, SQS and API Gateway clients.
const TriggersTab = lazy(() => import('../function/TriggersTab'));
const AsyncEventsTab = lazy(() => import('../function/AsyncEventsTab'));
const VersionsTab = lazy(() => import('../function/VersionsTab'));

const TABS = [
  ['monitor', 'Monitor'],
  ['test', 'Test'],
  ['code', 'Code'],
  ['logs', 'Logs'],
  ['invocations', 'Invocations'],
  ['events', 'Async events'],
  ['triggers', 'Triggers'],
  ['versions', 'Versions & aliases'],
  ['configuration', 'Configuration'],
] as const;

/** One function: its tabs, or a plain statement that it does not exist (any more). */
export function FunctionPage({ name }: { name: string }) {
  const route = useRoute();
  const tab = route.query.get('tab') ?? 'monitor';
  const fn = useLoad(
    (signal) => lambda().send(new GetFunctionCommand({ FunctionName: name }), { abortSignal: signal }),
    [name],
  );
  const [deleting, setDeleting] = useState<unknown>();

  if (fn.error && isNotFound(fn.error)) {
    return (
      <div className="page" data-testid="function-missing">
        <h1>{name}</h1>
        <div className="alert alert-error" role="alert">
          <strong>This function does not exist.</strong> It may have been deleted. Its past usage still shows
          on the <Link to="/usage">usage page</Link>.
          <div className="muted">{(fn.error as Error).message}</div>
        </div>
        <Link to="/">← All functions</Link>
      </div>
    );
  }
  const c = fn.data?.Configuration;

  const remove = async () => {
    if (!window.confirm(`Delete ${name}? Its code, configuration and saved test events are removed.`)) return;
    try {
      await lambda().send(new DeleteFunctionCommand({ FunctionName: name }));
      navigate('/');
    } catch (e) {
      setDeleting(e);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/">Functions</Link> /
          </div>
          <h1 data-testid="function-name">{name}</h1>
          {c ? (
            <div className="muted">
              {c.Runtime} · {c.MemorySize} MB · {c.Timeout} s ·{' '}
              <span className={`badge state-${c.State}`} data-testid="function-state">
                {c.State}
              </span>{' '}
              <code className="arn">{c.FunctionArn}</code>
            </div>
          ) : null}
        </div>
        <button type="button" className="danger" onClick={remove}>
          Delete
        </button>
      </div>
      <ErrorBox error={fn.error ?? deleting} />
      <nav className="tabs">
        {TABS.map(([id, label]) => (
          <Link
            key={id}
            to={functionPath(name, id)}
            className={tab === id ? 'active' : ''}
            testId={`tab-${id}`}
          >
            {label}
          </Link>
        ))}
      </nav>
      {fn.data ? (
        <div className="tab-body">
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <TabBody
              tab={tab}
              fn={fn.data}
              reload={fn.reload}
              requestId={route.query.get('requestId') ?? ''}
            />
          </Suspense>
        </div>
      ) : fn.loading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </div>
  );
}

/** The open tab's panel. */
function TabBody(props: {
  tab: string;
  fn: GetFunctionCommandOutput;
  reload: () => void;
  requestId: string;
}) {
  const c = props.fn.Configuration!;
  const name = c.FunctionName ?? '';
  switch (props.tab) {
    case 'monitor':
      return <MonitorTab name={name} />;
    case 'test':
      return <TestTab name={name} />;
    case 'code':
      return <CodeTab fn={props.fn} onDeployed={props.reload} />;
    case 'logs':
      return <LogsTab name={name} requestId={props.requestId} />;
    case 'invocations':
      return <InvocationsTab name={name} />;
    case 'events':
      return <AsyncEventsTab name={name} />;
    case 'triggers':
      return <TriggersTab fn={targetOf(c.FunctionArn ?? '')} />;
    case 'versions':
      return <VersionsTab name={name} />;
    case 'configuration':
      return <ConfigTab config={c} onSaved={props.reload} />;
    default:
      return <p className="muted">There is no tab {props.tab}.</p>;
  }
}
