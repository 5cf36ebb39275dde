import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../ports.js';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Content-addressed files under `<dir>/<2 hex>/<64 hex>`. A blob is written to a temporary file,
 * synced, then renamed into place, so a crash never leaves a partial blob under its key.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  static keyOf(bytes: Buffer): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`invalid blob key: ${key}`);
    return join(this.dir, key.slice(0, 2), key);
  }

  async put(bytes: Buffer): Promise<string> {
    const key = FsBlobStore.keyOf(bytes);
    const path = this.pathOf(key);
    if (await exists(path)) return key;
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await syncDirectory(join(this.dir, key.slice(0, 2)));
    return key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async has(key: string): Promise<boolean> {
    return exists(this.pathOf(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async keys(): Promise<string[]> {
    const out: string[] = [];
    let shards: string[];
    try {
      shards = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const shard of shards) {
      for (const name of await readdir(join(this.dir, shard))) {
        if (KEY_PATTERN.test(name)) out.push(name);
      }
    }
    return out;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
