import { useState } from 'react';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * A function URL or route: the link to it, and a button that calls it from this page through the
 * server's path form (`/_aws/...`, same origin) and shows what came back.
 */
export function CallUrl({ url, callPath }: { url?: string | undefined; callPath?: string | undefined }) {
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const call = async () => {
    if (!callPath) return;
    setBusy(true);
    setError('');
    try {
      const res = await fetch(callPath);
      setAnswer({
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body: await res.text(),
      });
    } catch (e) {
      setAnswer(undefined);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="call-url">
      {url ? (
        <a href={url} target="_blank" rel="noreferrer" data-testid="trigger-url">
          {url}
        </a>
      ) : null}{' '}
      {callPath ? (
        <button type="button" className="small" onClick={call} disabled={busy} title={`GET ${callPath}`}>
          {busy ? 'Calling…' : 'Call it'}
        </button>
      ) : null}
      {answer ? (
        <div className="call-answer" data-testid="call-result">
          <span className={`badge ${answer.status < 400 ? 'state-Active' : 'state-Failed'}`}>
            HTTP {answer.status}
          </span>{' '}
          <span className="muted">{answer.contentType}</span>
          <pre>{answer.body}</pre>
        </div>
      ) : null}
      {error ? <div className="field-error">{error}</div> : null}
    </div>
  );
}
