import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { type FormEvent, useRef, useState } from 'react';
import { type ApiError, asApiError } from '../api/errors';
import { ErrorBox, FieldError, Notice } from '../components/Alert';
import { Pager } from '../components/Pager';
import { formatBytes } from '../format';
import { useLoad, usePages } from '../hooks';
import { href, Link, navigate, useRoute } from '../router';
import { s3Client } from '../triggers/bucket';

const PAGE = 50;

/** The object store through the S3 API: buckets, then one bucket's objects by folder. */
export default function Buckets({ bucket }: { bucket?: string | undefined }) {
  return bucket ? <BucketObjects bucket={bucket} /> : <BucketList />;
}

async function withS3<T>(fn: (c: ReturnType<typeof s3Client>) => Promise<T>): Promise<T> {
  const c = s3Client();
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

function BucketList() {
  const pages = usePages<string>();
  const token = pages.current;
  const buckets = useLoad(
    (signal) =>
      withS3((c) =>
        c.send(new ListBucketsCommand({ MaxBuckets: PAGE, ...(token ? { ContinuationToken: token } : {}) }), {
          abortSignal: signal,
        }),
      ),
    [token],
  );
  const [name, setName] = useState('');
  const [error, setError] = useState<ApiError>();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await withS3((c) => c.send(new CreateBucketCommand({ Bucket: name.trim() })));
      navigate(`/buckets/${encodeURIComponent(name.trim())}`);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <div className="page">
      <h1>Buckets</h1>
      <form className="card toolbar" onSubmit={create} noValidate>
        <label>
          New bucket
          <input
            name="bucketName"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="photos"
          />
          <FieldError message={error?.message} />
        </label>
        <button type="submit" className="primary">
          Create bucket
        </button>
      </form>
      <ErrorBox error={buckets.error} />
      {buckets.data && (buckets.data.Buckets ?? []).length === 0 ? (
        <p className="muted">No buckets yet.</p>
      ) : (
        <table className="table" data-testid="buckets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {(buckets.data?.Buckets ?? []).map((b) => (
              <tr key={b.Name}>
                <td>
                  <Link to={`/buckets/${encodeURIComponent(b.Name ?? '')}`}>{b.Name}</Link>
                </td>
                <td>{b.CreationDate?.toLocaleString('en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} next={buckets.data?.ContinuationToken} />
    </div>
  );
}

function BucketObjects({ bucket }: { bucket: string }) {
  const prefix = useRoute().query.get('prefix') ?? '';
  const pages = usePages<string>();
  const token = pages.current;
  const objects = useLoad(
    (signal) =>
      withS3((c) =>
        c.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: '/',
            MaxKeys: PAGE,
            ...(token ? { ContinuationToken: token } : {}),
          }),
          { abortSignal: signal },
        ),
      ),
    [bucket, prefix, token],
  );
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const go = (p: string) => {
    pages.reset();
    navigate(`/buckets/${encodeURIComponent(bucket)}${p ? `?prefix=${encodeURIComponent(p)}` : ''}`);
  };

  const upload = async (files: FileList | null) => {
    if (!files?.length) return;
    setError(undefined);
    setBusy(true);
    try {
      for (const f of Array.from(files)) {
        const body = new Uint8Array(await f.arrayBuffer());
        await withS3((c) =>
          c.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: `${prefix}${f.name}`,
              Body: body,
              ContentType: f.type || 'application/octet-stream',
            }),
          ),
        );
      }
      setNote(`Uploaded ${Array.from(files, (f) => f.name).join(', ')}.`);
      objects.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const download = async (key: string) => {
    setError(undefined);
    try {
      const out = await withS3((c) => c.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
      const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      const url = URL.createObjectURL(
        new Blob([bytes as Uint8Array<ArrayBuffer>], { type: out.ContentType ?? 'application/octet-stream' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = key.slice(key.lastIndexOf('/') + 1);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    }
  };

  const remove = async (key: string) => {
    if (!window.confirm(`Delete ${key}?`)) return;
    setError(undefined);
    try {
      await withS3((c) => c.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
      setNote(`Deleted ${key}.`);
      objects.reload();
    } catch (e) {
      setError(e);
    }
  };

  const removeBucket = async () => {
    if (!window.confirm(`Delete bucket ${bucket}? It must be empty.`)) return;
    setError(undefined);
    try {
      await withS3((c) => c.send(new DeleteBucketCommand({ Bucket: bucket })));
      navigate('/buckets');
    } catch (e) {
      setError(e);
    }
  };

  const folders = objects.data?.CommonPrefixes ?? [];
  const files = objects.data?.Contents ?? [];
  const crumbs = prefix.split('/').filter((p) => p !== '');
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/buckets">Buckets</Link> /
          </div>
          <h1 data-testid="bucket-name">{bucket}</h1>
          <div className="crumbs" data-testid="prefix">
            <button type="button" className="link" onClick={() => go('')}>
              {bucket}
            </button>
            {crumbs.map((c, i) => (
              <span key={crumbs.slice(0, i + 1).join('/')}>
                {' / '}
                <button
                  type="button"
                  className="link"
                  onClick={() => go(`${crumbs.slice(0, i + 1).join('/')}/`)}
                >
                  {c}
                </button>
              </span>
            ))}
          </div>
        </div>
        <button type="button" className="danger" onClick={removeBucket}>
          Delete bucket
        </button>
      </div>
      <div className="card toolbar">
        <label>
          Upload to {prefix || 'the top level'}
          <input
            ref={fileInput}
            type="file"
            name="upload"
            multiple
            disabled={busy}
            onChange={(e) => void upload(e.target.files)}
          />
        </label>
        {note ? (
          <Notice kind="success">
            <span data-testid="bucket-note">{note}</span>
          </Notice>
        ) : null}
      </div>
      <ErrorBox error={objects.error ?? error} />
      {objects.data && folders.length === 0 && files.length === 0 ? (
        <p className="muted">Nothing here yet: upload a file.</p>
      ) : (
        <table className="table" data-testid="objects">
          <thead>
            <tr>
              <th>Key</th>
              <th>Size</th>
              <th>Last modified</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {folders.map((f) => (
              <tr key={f.Prefix}>
                <td>
                  <button type="button" className="link" onClick={() => go(f.Prefix ?? '')}>
                    📁 {f.Prefix?.slice(prefix.length)}
                  </button>
                </td>
                <td />
                <td />
                <td />
              </tr>
            ))}
            {files.map((o) => (
              <tr key={o.Key}>
                <td>{o.Key?.slice(prefix.length)}</td>
                <td>{formatBytes(o.Size ?? 0)}</td>
                <td>{o.LastModified?.toLocaleString('en-GB')}</td>
                <td>
                  <button type="button" className="link" onClick={() => void download(o.Key ?? '')}>
                    Download
                  </button>
                  {' · '}
                  <button type="button" className="link danger-text" onClick={() => void remove(o.Key ?? '')}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} next={objects.data?.NextContinuationToken} />
      <p className="muted small">
        Objects are also at <code>{`${location.origin}/${bucket}/<key>`}</code> for any S3 client (path
        style). <a href={href('/buckets')}>All buckets</a>
      </p>
    </div>
  );
}
