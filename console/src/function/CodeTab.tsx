import { type GetFunctionCommandOutput, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { strFromU8, strToU8, unzipSync, type Zippable, zipSync } from 'fflate';
import { useState } from 'react';
import { lambda } from '../api/client';
import { ApiError, asApiError } from '../api/errors';
import { ErrorBox, Notice } from '../components/Alert';
import { Editor, type EditorLanguage } from '../components/LazyEditor';
import { waitUntilReady } from '../deploy';
import { formatBytes } from '../format';
import { useLoad } from '../hooks';

/** Text files above this size are shown but not editable here. */
const EDITABLE_MAX_BYTES = 512 * 1024;

const languageOf = (path: string): EditorLanguage =>
  /\.(m|c)?[jt]s$/.test(path)
    ? 'javascript'
    : /\.json$/.test(path)
      ? 'json'
      : /\.py$/.test(path)
        ? 'python'
        : 'text';

const isText = (bytes: Uint8Array) => !bytes.subarray(0, 8000).includes(0);

/**
 * The deployed package (GetFunction's pre-signed Code.Location), unzipped in the browser; edits are
 * zipped again and deployed with UpdateFunctionCode.
 */
export function CodeTab({ fn, onDeployed }: { fn: GetFunctionCommandOutput; onDeployed: () => void }) {
  const name = fn.Configuration?.FunctionName ?? '';
  const pkg = useLoad(async () => {
    const location = fn.Code?.Location;
    if (!location) throw new ApiError('NoCode', 'GetFunction returned no code location.', 0);
    // The link is absolute with the server's own address; fetch it from this origin.
    const url = new URL(location);
    const res = await fetch(url.pathname + url.search);
    if (!res.ok) throw new ApiError(`HTTP${res.status}`, await res.text(), res.status);
    return unzipSync(new Uint8Array(await res.arrayBuffer()));
  }, [fn.Code?.Location]);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [state, setState] = useState('');
  const [buildLog, setBuildLog] = useState<string[]>([]);

  const files = Object.entries(pkg.data ?? {}).filter(([p]) => !p.endsWith('/'));
  const current =
    open ?? files.find(([p]) => /^(index|lambda_function|app|handler)\./.test(p))?.[0] ?? files[0]?.[0];
  const bytes = current ? pkg.data?.[current] : undefined;
  const editable = bytes !== undefined && bytes.length <= EDITABLE_MAX_BYTES && isText(bytes);

  const deploy = async () => {
    setError(undefined);
    setState('Deploying…');
    try {
      const entries: Zippable = {};
      for (const [p, b] of files) {
        const data = p in edits ? strToU8(edits[p]!) : b;
        // fflate does not read Unix modes back; a custom runtime's bootstrap must stay executable.
        entries[p] = /(^|\/)bootstrap$/.test(p) ? [data, { os: 3, attrs: 0o100755 << 16 }] : data;
      }
      await lambda().send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipSync(entries) }));
      setBuildLog([]);
      await waitUntilReady(name, setState, (lines) => setBuildLog((l) => [...l, ...lines]));
      setEdits({});
      setState('Deployed.');
      onDeployed();
    } catch (e) {
      setState('');
      setError(asApiError(e));
    }
  };

  return (
    <div className="code-tab">
      <ErrorBox error={pkg.error ?? error} />
      <div className="code-layout">
        <ul className="files">
          {files.map(([p, b]) => (
            <li key={p}>
              <button type="button" className={p === current ? 'selected' : ''} onClick={() => setOpen(p)}>
                {p}
                {p in edits ? ' •' : ''} <span className="muted">{formatBytes(b.length)}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="editor-pane">
          {current && editable ? (
            <Editor
              key={current}
              label="code"
              language={languageOf(current)}
              value={edits[current] ?? strFromU8(bytes)}
              onChange={(v) => setEdits((e) => ({ ...e, [current]: v }))}
              minHeight={320}
            />
          ) : current ? (
            <p className="muted">This file is binary or too large to edit here.</p>
          ) : null}
          <div className="buttons">
            <button
              type="button"
              className="primary"
              disabled={Object.keys(edits).length === 0}
              onClick={deploy}
            >
              Deploy
            </button>
            {state ? <Notice>{state}</Notice> : null}
          </div>
          {buildLog.length ? (
            <pre className="log build-log" data-testid="build-log">
              {buildLog.join('\n')}
            </pre>
          ) : null}
        </div>
      </div>
    </div>
  );
}
