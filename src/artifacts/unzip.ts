import { createWriteStream } from 'node:fs';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { invalidParameter, type LambdaError } from '../domain/errors.js';
import { UNZIPPED_MAX_BYTES, ZIP_MAX_ENTRIES } from '../domain/limits.js';

export const UNZIP_FAILED_MESSAGE =
  'Could not unzip uploaded file. Please check your file, then try to upload again.';

export interface UnzipLimits {
  maxUnzippedBytes: number;
  maxEntries: number;
}

const DEFAULT_LIMITS: UnzipLimits = { maxUnzippedBytes: UNZIPPED_MAX_BYTES, maxEntries: ZIP_MAX_ENTRIES };

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/**
 * Extracts a deployment zip into `dest` (which must not exist yet or be empty), refusing what
 * could escape or exhaust the host: entries with `..` or absolute paths, symlinks pointing outside
 * the folder, more than `maxEntries` entries, and more than `maxUnzippedBytes` of content (counted
 * as the bytes are inflated, so a lying header does not help a zip bomb). Resolves the total
 * unzipped size. Rejects with an AWS-shaped {@link LambdaError}.
 */
export async function unzipTo(
  zip: Buffer,
  dest: string,
  limits: UnzipLimits = DEFAULT_LIMITS,
): Promise<number> {
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await new Promise<yauzl.ZipFile>((ok, fail) =>
      yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, strictFileNames: false }, (err, zf) =>
        err ? fail(err) : ok(zf),
      ),
    );
  } catch {
    throw invalidParameter(UNZIP_FAILED_MESSAGE);
  }
  if (zipfile.entryCount > limits.maxEntries) {
    zipfile.close();
    throw invalidParameter(`Unzipped file must contain fewer than ${limits.maxEntries} entries`);
  }
  const root = resolve(dest);
  await mkdir(root, { recursive: true });
  let total = 0;
  const tooBig = () =>
    invalidParameter(`Unzipped size must be smaller than ${limits.maxUnzippedBytes} bytes`);

  return new Promise<number>((ok, fail) => {
    let failed = false;
    const abort = (e: unknown) => {
      if (failed) return;
      failed = true;
      zipfile.close();
      fail(isLambdaErr(e) ? e : invalidParameter(UNZIP_FAILED_MESSAGE));
    };
    zipfile.on('error', (e: Error) => abort(pathError(e) ?? e));
    zipfile.on('end', () => {
      if (!failed) ok(total);
    });
    zipfile.on('entry', (entry: yauzl.Entry) => {
      handleEntry(entry).then(() => zipfile.readEntry(), abort);
    });

    const handleEntry = async (entry: yauzl.Entry) => {
      const name = entry.fileName;
      const target = resolve(root, name);
      if (!isInside(root, target) || isAbsolute(name) || name.split('/').includes('..')) {
        throw invalidParameter(`Zip entry escapes the code folder: ${name}`);
      }
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      if (name.endsWith('/') || (mode & S_IFMT) === S_IFDIR) {
        await mkdir(target, { recursive: true });
        return;
      }
      if (entry.uncompressedSize > limits.maxUnzippedBytes - total) throw tooBig();
      await mkdir(dirname(target), { recursive: true });
      const stream = await openEntry(zipfile, entry);
      if ((mode & S_IFMT) === S_IFLNK) {
        await writeSymlink(root, name, target, stream);
        return;
      }
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          total += chunk.length;
          if (total > limits.maxUnzippedBytes) cb(tooBig());
          else cb(null, chunk);
        },
      });
      await pipeline(stream, counter, createWriteStream(target, { flags: 'wx' }));
      // Keep the owner's execute bit (a custom runtime's `bootstrap`), make everything readable.
      await chmod(target, mode & 0o111 ? 0o755 : 0o644);
    };
    zipfile.readEntry();
  });
}

/** A symlink entry's content is its target; it must stay inside the code folder. */
async function writeSymlink(
  root: string,
  name: string,
  target: string,
  stream: NodeJS.ReadableStream,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const linkTarget = Buffer.concat(chunks).toString('utf8');
  if (isAbsolute(linkTarget) || !isInside(root, resolve(dirname(target), linkTarget))) {
    throw invalidParameter(`Zip entry is a symbolic link that escapes the code folder: ${name}`);
  }
  await symlink(linkTarget, target);
}

function openEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((ok, fail) => zipfile.openReadStream(entry, (err, s) => (err ? fail(err) : ok(s))));
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isLambdaErr(e: unknown): e is LambdaError {
  return e instanceof Error && e.name === 'LambdaError';
}

/** yauzl validates names itself; turn its complaints into the escape error. */
function pathError(e: Error): LambdaError | undefined {
  if (/absolute path|invalid relative path|invalid characters/.test(e.message)) {
    return invalidParameter(`Zip entry escapes the code folder: ${e.message.replace(/^.*?: /, '')}`);
  }
  return undefined;
}
