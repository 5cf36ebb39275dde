import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import yazl from 'yazl';
import { CliError } from './errors.js';

/** A deployment package ready to upload. */
export interface CodePackage {
  zip: Buffer;
  /** Base64 SHA-256 of the zip, as Lambda reports `CodeSha256`. */
  sha256: string;
  /** Paths inside the zip when the CLI built it from a folder (sorted); undefined for a .zip. */
  files?: string[];
}

/** Folders never packaged. */
const SKIPPED = new Set(['.git']);

/**
 * One fixed timestamp for every entry, so the same files always give the same zip (and the same
 * CodeSha256, which is how `function deploy` knows the code did not change). It is built from local
 * components and written as a DOS timestamp only, so the bytes do not depend on the time zone.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const MODE_FILE = 0o100644;
const MODE_EXECUTABLE = 0o100755;

/** A folder (zipped here) or an existing .zip file, read for upload. */
export async function loadCodePackage(path: string): Promise<CodePackage> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(
      e.code === 'ENOENT'
        ? `cannot deploy ${path}: no such file or folder.`
        : `cannot read ${path}: ${e.message}`,
    );
  });
  if (info.isDirectory()) return zipFolder(path);
  const zip = await readFile(path);
  if (!looksLikeZip(zip)) {
    throw new CliError(
      `${path} is neither a folder nor a .zip file. Pass the folder with your code (nimbus zips it) or a .zip deployment package.`,
    );
  }
  return { zip, sha256: sha256(zip) };
}

/**
 * Zips a folder deterministically: entries sorted by path, one fixed timestamp, modes normalised
 * to 644 or 755 (executable bits kept, e.g. for a `bootstrap`), `.git` skipped, symlinks followed.
 */
export async function zipFolder(dir: string): Promise<CodePackage> {
  const entries = await collectFiles(resolve(dir));
  if (entries.length === 0) throw new CliError(`${dir} has no files to deploy.`);
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    zip.addFile(e.absolute, e.path, { mtime: FIXED_MTIME, forceDosTimestamp: true, mode: e.mode });
  }
  zip.end();
  const bytes = await new Promise<Buffer>((ok, fail) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => ok(Buffer.concat(chunks)));
    zip.outputStream.on('error', fail);
    zip.on('error', fail);
  });
  return { zip: bytes, sha256: sha256(bytes), files: entries.map((e) => e.path) };
}

interface FileEntry {
  /** Path inside the zip, `/`-separated. */
  path: string;
  absolute: string;
  mode: number;
}

async function collectFiles(root: string): Promise<FileEntry[]> {
  const found: FileEntry[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    for (const d of await readdir(dir, { withFileTypes: true })) {
      if (SKIPPED.has(d.name)) continue;
      const absolute = join(dir, d.name);
      const path = prefix + d.name;
      const info = d.isSymbolicLink() ? await stat(absolute).catch(() => undefined) : await stat(absolute);
      if (!info) continue; // a dangling symlink
      if (info.isDirectory()) await walk(absolute, `${path}/`);
      else if (info.isFile()) {
        found.push({ path, absolute, mode: info.mode & 0o111 ? MODE_EXECUTABLE : MODE_FILE });
      }
    }
  };
  await walk(root, '');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Local file header, or the end record of an empty archive. */
function looksLikeZip(bytes: Buffer): boolean {
  const magic = bytes.subarray(0, 4).toString('binary');
  return magic === 'PK\x03\x04' || magic === 'PK\x05\x06';
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/**
 * The files a Node.js handler string can load (`src/app.handler` → `src/app.js|.mjs|.cjs`), so a
 * deploy can warn before the first invoke fails with `Runtime.ImportModuleError`.
 */
export function handlerModuleFiles(handler: string): string[] {
  const dot = handler.lastIndexOf('.');
  const module = dot > 0 ? handler.slice(0, dot) : handler;
  return ['.js', '.mjs', '.cjs'].map((ext) => `${module}${ext}`);
}
