import { createHash, randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeStore } from './code-store.js';

/** Bumped when the way layers are merged changes. */
const MERGE_RECIPE = 'nimbus-opt-1';

/** Merges in progress per key, so two functions with the same layers never race on one folder. */
const merging = new Map<string, Promise<string>>();

/**
 * The `/opt` of a function: its layers' images extracted in order into one folder, later layers
 * overwriting earlier ones' files, as Lambda does. The result is an immutable image keyed by the
 * ordered layer images, so functions with the same layers share it.
 */
export function mergeLayers(
  code: CodeStore,
  workDir: string,
  layerImageKeys: readonly string[],
): Promise<string> {
  const key = createHash('sha256')
    .update(`${MERGE_RECIPE}\u0000${layerImageKeys.join('\u0000')}`)
    .digest('hex');
  let pending = merging.get(key);
  if (!pending) {
    pending = merge(code, workDir, layerImageKeys, key).finally(() => merging.delete(key));
    merging.set(key, pending);
  }
  return pending;
}

async function merge(
  code: CodeStore,
  workDir: string,
  keys: readonly string[],
  key: string,
): Promise<string> {
  if ((await code.imageSize(key)) !== undefined) return key;
  await mkdir(workDir, { recursive: true });
  const tmp = join(workDir, `opt-${key}.${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(tmp);
    for (const layer of keys) {
      await cp(code.imagePath(layer), tmp, { recursive: true, force: true, verbatimSymlinks: true });
    }
    await code.adoptImage(tmp, key, await folderSize(tmp));
    return key;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function folderSize(root: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
