import { type FormEvent, useState } from 'react';
import type { Credentials } from '../api/credentials';
import { ErrorBox } from '../components/Alert';

/** Signing in is checking that requests signed with this key are accepted. */
export function Login(props: { onLogin: (c: Credentials) => Promise<unknown>; initialError?: unknown }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [error, setError] = useState<unknown>(props.initialError);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const failure = await props.onLogin({ accessKeyId: accessKeyId.trim(), secretAccessKey });
    setBusy(false);
    if (failure) setError(failure);
  };

  return (
    <div className="login">
      <form onSubmit={submit} className="card">
        <h1>Nimbus console</h1>
        <p className="muted">
          This server requires signed requests. Sign in with its access key (<code>NIMBUS_ACCESS_KEY_ID</code>{' '}
          / <code>NIMBUS_SECRET_ACCESS_KEY</code>). The secret stays in this tab only.
        </p>
        <label>
          Access key ID
          <input
            name="accessKeyId"
            autoComplete="username"
            value={accessKeyId}
            onChange={(e) => setAccessKeyId(e.target.value)}
            required
          />
        </label>
        <label>
          Secret access key
          <input
            name="secretAccessKey"
            type="password"
            autoComplete="current-password"
            value={secretAccessKey}
            onChange={(e) => setSecret(e.target.value)}
            required
          />
        </label>
        <ErrorBox error={error} title="Sign-in refused" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
