import { lazy, type ReactElement, StrictMode, Suspense, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { nimbus, setCredentials, setRegion } from './api/client';
import { type Credentials, storeCredentials, storedCredentials } from './api/credentials';
import { isAuthError } from './api/errors';
import type { ServerStatus } from './api/types';
import { ErrorBox } from './components/Alert';
import { ErrorBoundary } from './components/ErrorBoundary';
import { CreateFunction } from './pages/CreateFunction';
import { FunctionPage } from './pages/FunctionPage';
import { Login } from './pages/Login';
import { Overview } from './pages/Overview';
import { Usage } from './pages/Usage';
import { Link, useRoute } from './router';
import './styles.css';

// The S3 client loads only with the buckets page.
const Buckets = lazy(() => import('./pages/Buckets'));

type Session =
  | { state: 'checking' }
  | { state: 'login'; reason?: unknown }
  | { state: 'ready'; status: ServerStatus }
  | { state: 'down'; error: unknown };

function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const route = useRoute();

  const connect = useCallback(async (c: Credentials | undefined) => {
    setCredentials(c);
    try {
      const status = await nimbus<ServerStatus>('GET', '/nimbus/v1/status');
      setRegion(status.region);
      storeCredentials(c);
      setSession({ state: 'ready', status });
      return undefined;
    } catch (e) {
      if (isAuthError(e)) {
        setCredentials(undefined);
        storeCredentials(undefined);
        setSession({ state: 'login', ...(c ? { reason: e } : {}) });
        return e;
      }
      setSession({ state: 'down', error: e });
      return e;
    }
  }, []);

  useEffect(() => {
    void connect(storedCredentials());
  }, [connect]);

  const signOut = () => {
    setCredentials(undefined);
    storeCredentials(undefined);
    setSession({ state: 'login' });
  };

  if (session.state === 'checking') return <div className="splash">Connecting to Nimbus…</div>;
  if (session.state === 'login') return <Login onLogin={connect} initialError={session.reason} />;
  if (session.state === 'down') {
    return (
      <div className="splash">
        <ErrorBox error={session.error} title="Nimbus is not reachable" />
        <button type="button" onClick={() => void connect(storedCredentials())}>
          Try again
        </button>
      </div>
    );
  }

  const [section, ...rest] = route.parts;
  let page: ReactElement;
  if (section === undefined) page = <Overview status={session.status} />;
  else if (section === 'create') page = <CreateFunction key={route.visit} />;
  else if (section === 'usage') page = <Usage />;
  else if (section === 'buckets')
    page = (
      <Suspense fallback={<div className="page muted">Loading…</div>}>
        <Buckets key={rest[0] ?? ''} bucket={rest[0]} />
      </Suspense>
    );
  else if (section === 'functions' && rest[0]) page = <FunctionPage key={rest[0]} name={rest[0]} />;
  else
    page = (
      <div className="page">
        <h1>Page not found</h1>
        <p>
          There is no page at <code>{location.pathname}</code>. <Link to="/">Back to functions</Link>
        </p>
      </div>
    );

  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand">
          Nimbus
        </Link>
        <nav>
          <Link to="/" className={section === undefined || section === 'functions' ? 'active' : ''}>
            Functions
          </Link>
          <Link to="/create" className={section === 'create' ? 'active' : ''}>
            Create function
          </Link>
          <Link to="/buckets" className={section === 'buckets' ? 'active' : ''}>
            Buckets
          </Link>
          <Link to="/usage" className={section === 'usage' ? 'active' : ''}>
            Usage
          </Link>
        </nav>
        <span className="server">
          {session.status.region} · v{session.status.version}
          {session.status.authentication === 'sigv4' ? (
            <button type="button" className="link" onClick={signOut}>
              Sign out
            </button>
          ) : null}
        </span>
      </header>
      <main>
        <ErrorBoundary resetKey={location.pathname + location.search}>{page}</ErrorBoundary>
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
