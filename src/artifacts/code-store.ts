import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidParameter } from '../domain/errors.js';
import type { CodeRef } from '../domain/function.js';
import { UNZIPPED_MAX_BYTES } from '../domain/limits.js';
import type { BlobStore } from '../store/ports.js';
import { unzipTo } from './unzip.js';

const IMAGE_KEY = /^[0-9a-f]{64}$/;
/** How long a newly stored key is safe from garbage collection. */
const FRESH_MS = 10 * 60_000;

/**
 * Deployment packages: the zip is kept as a content-addressed blob (what GetFunction hands back)
 * and unpacked once into `images/<key>/`, the read-only folder sandboxes run from. Identical
 * uploads share both. `images/<key>.size` is written last and marks a complete image.
 */
export class CodeStore {
  /** Unpacks in progress per image key, so two uploads of one zip never race on its folder. */
  readonly #unpacking = new Map<string, Promise<number>>();
  /**
   * Keys stored recently (epoch ms): a deployment stores its code before the function record that
   * refers to it, so garbage collection spares young keys instead of racing with deployments.
   */
  readonly #fresh = new Map<string, number>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly imagesDir: string,
  ) {}

  imagePath(imageKey: string): string {
    if (!IMAGE_KEY.test(imageKey)) throw new Error(`invalid image key: ${imageKey}`);
    return join(this.imagesDir, imageKey);
  }

  /**
   * Validates and stores a zip; rejects with InvalidParameterValueException on a bad archive. A
   * direct upload is held to 50 MB zipped by its request size; code from the object store only to
   * the 250 MB unzipped limit, as on Lambda.
   */
  async ingestZip(zip: Buffer): Promise<CodeRef> {
    if (zip.length > UNZIPPED_MAX_BYTES) {
      throw invalidParameter(`Unzipped size must be smaller than ${UNZIPPED_MAX_BYTES} bytes`);
    }
    const digest = createHash('sha256').update(zip).digest();
    const imageKey = digest.toString('hex');
    let unpack = this.#unpacking.get(imageKey);
    if (!unpack) {
      unpack = this.#unpack(zip, imageKey).finally(() => this.#unpacking.delete(imageKey));
      this.#unpacking.set(imageKey, unpack);
    }
    this.#touch(imageKey);
    const unzippedSize = await unpack;
    const blobKey = await this.blobs.put(zip);
    this.#touch(blobKey);
    return { sha256: digest.toString('base64'), size: zip.length, blobKey, imageKey, unzippedSize };
  }

  /** The unpacked size of a complete image, or undefined when there is none under this key. */
  async imageSize(imageKey: string): Promise<number | undefined> {
    return readSize(`${this.imagePath(imageKey)}.size`);
  }

  /**
   * Moves a finished folder (built code, merged layers) into place as the image `imageKey`. The
   * folder must be on the same file system. An image already complete under that key wins (the
   * folder is removed): images are immutable and content-addressed.
   */
  async adoptImage(folder: string, imageKey: string, size: number): Promise<void> {
    this.#touch(imageKey);
    const final = this.imagePath(imageKey);
    if ((await this.imageSize(imageKey)) !== undefined) {
      await rm(folder, { recursive: true, force: true });
      return;
    }
    await rm(final, { recursive: true, force: true });
    await rename(folder, final);
    await writeFile(`${final}.size`, String(size));
  }

  async zip(blobKey: string): Promise<Buffer | undefined> {
    return this.blobs.get(blobKey);
  }

  /** Removes blobs and images no function refers to any more, and leftovers of crashed unpacks. */
  async collectGarbage(referenced: { blobKeys: Set<string>; imageKeys: Set<string> }): Promise<void> {
    const youngSince = Date.now() - FRESH_MS;
    for (const [key, at] of this.#fresh) if (at < youngSince) this.#fresh.delete(key);
    for (const key of await this.blobs.keys()) {
      if (!referenced.blobKeys.has(key) && !this.#fresh.has(key)) await this.blobs.delete(key);
    }
    let names: string[] = [];
    try {
      names = await readdir(this.imagesDir);
    } catch {
      return;
    }
    for (const name of names) {
      const key = name.slice(0, 64);
      if (this.#fresh.has(key) || this.#unpacking.has(key)) continue;
      if (name.endsWith('.tmp') || (IMAGE_KEY.test(key) && !referenced.imageKeys.has(key))) {
        await rm(join(this.imagesDir, name), { recursive: true, force: true });
      }
    }
  }

  #touch(key: string): void {
    this.#fresh.set(key, Date.now());
  }

  async #unpack(zip: Buffer, imageKey: string): Promise<number> {
    const final = this.imagePath(imageKey);
    const marker = `${final}.size`;
    const existing = await readSize(marker);
    if (existing !== undefined) return existing;
    const tmp = join(this.imagesDir, `${imageKey}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const size = await unzipTo(zip, tmp);
      // A folder without its marker is the leftover of a crash mid-unpack.
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
      await writeFile(marker, String(size));
      return size;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

async function readSize(path: string): Promise<number | undefined> {
  try {
    const n = Number(await readFile(path, 'utf8'));
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
