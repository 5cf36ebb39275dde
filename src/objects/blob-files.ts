import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { BlobRef } from '../domain/s3-object.js';
import { syncDirectory } from '../store/blobs/fs-blob-store.js';
import { type Checksum, type ChecksumAlgorithm, createChecksum } from './checksums.js';

const KEY_PATTERN = /^[0-9a-f]{64}$/;
/** Bytes gathered before one write call: fewer syscalls than one per socket chunk. */
const WRITE_BATCH_BYTES = 256 * 1024;

/** What writing a stream produced; `commit()` makes it a blob under its hash. */
export interface WrittenBlob {
  blob: BlobRef | undefined;
  md5: Buffer;
  /** base64 digest of the requested additional checksum. */
  checksum?: string;
}

export interface PendingBlob extends WrittenBlob {
  /** The caller's metadata commit has happened (or failed): the blob may be reclaimed if unused. */
  done(): void;
}

export class StreamLengthError extends Error {
  override readonly name = 'StreamLengthError';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`expected ${expected} bytes, got ${actual}`);
  }
}

/**
 * Content-addressed files holding object bytes, under `<dir>/blobs/<2 hex>/<sha256>`.
 *
 * A stream is written to `<dir>/tmp`, hashed on the way (SHA-256 for the name, MD5 for the ETag,
 * optionally an S3 checksum), synced, then renamed into place and the directory synced: only then
 * may the caller commit metadata that references it. So a crash never leaves a listed object
 * without its bytes, and a half-written file is never under a blob name.
 *
 * Reclaiming: the metadata store counts references; when the last goes, the caller asks
 * {@link reclaim}. A blob being written is pinned from its rename until the writer's metadata
 * commit, so a concurrent reclaim of the same content cannot delete what the writer is about to
 * reference; reclaim checks the pin and unlinks in the same tick.
 */
export class BlobFiles {
  readonly #blobs: string;
  readonly #tmp: string;
  readonly #pins = new Map<string, number>();

  constructor(dir: string) {
    this.#blobs = join(dir, 'blobs');
    this.#tmp = join(dir, 'tmp');
    mkdirSync(this.#blobs, { recursive: true });
    // Partial writes of a previous run are garbage.
    rmSync(this.#tmp, { recursive: true, force: true });
    mkdirSync(this.#tmp, { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!KEY_PATTERN.test(sha256)) throw new Error(`invalid blob key: ${sha256}`);
    return join(this.#blobs, sha256.slice(0, 2), sha256);
  }

  /**
   * Writes `source` durably and pins the resulting blob. Rejects with {@link StreamLengthError}
   * when `expectedSize` is given and the stream ends early or runs long; on any failure nothing
   * stays behind.
   */
  async write(
    source: AsyncIterable<Buffer>,
    options: { expectedSize?: number; checksum?: ChecksumAlgorithm } = {},
  ): Promise<PendingBlob> {
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    const extra: Checksum | undefined = options.checksum ? createChecksum(options.checksum) : undefined;
    const tmp = join(this.#tmp, randomBytes(12).toString('hex'));
    const fh = await open(tmp, 'w');
    let size = 0;
    let ok = false;
    try {
      let batch: Buffer[] = [];
      let batched = 0;
      const flush = async () => {
        if (batched === 0) return;
        const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
        batch = [];
        batched = 0;
        await fh.write(data);
      };
      for await (const chunk of source) {
        size += chunk.length;
        if (options.expectedSize !== undefined && size > options.expectedSize) {
          throw new StreamLengthError(options.expectedSize, size);
        }
        sha.update(chunk);
        md5.update(chunk);
        extra?.update(chunk);
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= WRITE_BATCH_BYTES) await flush();
      }
      await flush();
      if (options.expectedSize !== undefined && size !== options.expectedSize) {
        throw new StreamLengthError(options.expectedSize, size);
      }
      if (size > 0) await fh.sync();
      ok = true;
    } finally {
      await fh.close();
      if (!ok) await rm(tmp, { force: true });
    }
    const written = { md5: md5.digest(), ...(extra ? { checksum: extra.digest() } : {}) };
    if (size === 0) {
      await rm(tmp, { force: true });
      return { blob: undefined, ...written, done: () => undefined };
    }
    const key = sha.digest('hex');
    this.#pin(key);
    try {
      const path = this.pathOf(key);
      if (await exists(path)) await rm(tmp, { force: true });
      else {
        await mkdir(join(this.#blobs, key.slice(0, 2)), { recursive: true });
        await rename(tmp, path);
        await syncDirectory(join(this.#blobs, key.slice(0, 2)));
      }
    } catch (e) {
      this.#unpin(key);
      await rm(tmp, { force: true });
      throw e;
    }
    let released = false;
    return {
      blob: { sha256: key, size },
      ...written,
      done: () => {
        if (released) return;
        released = true;
        this.#unpin(key);
      },
    };
  }

  /** The bytes of `segments` from `start` to `end` inclusive, as one stream. */
  read(segments: readonly BlobRef[], start = 0, end?: number): Readable {
    const total = segments.reduce((n, s) => n + s.size, 0);
    const last = Math.min(end ?? total - 1, total - 1);
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const pieces: { path: string; start: number; end: number }[] = [];
    let offset = 0;
    for (const s of segments) {
      const from = Math.max(start, offset);
      const to = Math.min(last, offset + s.size - 1);
      if (from <= to) pieces.push({ path: this.pathOf(s.sha256), start: from - offset, end: to - offset });
      offset += s.size;
    }
    void (async () => {
      for (const p of pieces) {
        const rs = createReadStream(p.path, { start: p.start, end: p.end, highWaterMark: 256 * 1024 });
        for await (const chunk of rs) {
          if (out.destroyed) {
            rs.destroy();
            return;
          }
          if (!out.write(chunk)) await drainedOrClosed(out);
        }
      }
      out.end();
    })().catch((e: unknown) => out.destroy(e as Error));
    return out;
  }

  /** The bytes of `segments` from `start` to `end` inclusive, read at once (small objects). */
  async readAll(segments: readonly BlobRef[], start = 0, end?: number): Promise<Buffer> {
    const total = segments.reduce((n, s) => n + s.size, 0);
    const last = Math.min(end ?? total - 1, total - 1);
    const out = Buffer.allocUnsafe(Math.max(0, last - start + 1));
    let offset = 0;
    let filled = 0;
    for (const s of segments) {
      const from = Math.max(start, offset);
      const to = Math.min(last, offset + s.size - 1);
      if (from <= to) {
        const fh = await open(this.pathOf(s.sha256), 'r');
        try {
          const length = to - from + 1;
          let done = 0;
          while (done < length) {
            const { bytesRead } = await fh.read(out, filled + done, length - done, from - offset + done);
            if (bytesRead === 0) throw new Error(`blob ${s.sha256} is shorter than recorded`);
            done += bytesRead;
          }
          filled += length;
        } finally {
          await fh.close();
        }
      }
      offset += s.size;
    }
    return out;
  }

  /**
   * Deletes blob files the store no longer references. `isReferenced` is asked just before each
   * unlink; a pinned blob (being written right now) is left for its writer.
   */
  async reclaim(keys: readonly string[], isReferenced: (key: string) => Promise<boolean>): Promise<void> {
    for (const key of keys) {
      if (this.#pins.has(key)) continue;
      if (await isReferenced(key)) continue;
      // Checked and unlinked in one tick: no writer can pin in between.
      if (this.#pins.has(key)) continue;
      try {
        unlinkSync(this.pathOf(key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  }

  /** Every blob file present (for the startup sweep of unreferenced ones). */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    for (const shard of await readdir(this.#blobs)) {
      for (const name of await readdir(join(this.#blobs, shard))) if (KEY_PATTERN.test(name)) out.push(name);
    }
    return out;
  }

  #pin(key: string): void {
    this.#pins.set(key, (this.#pins.get(key) ?? 0) + 1);
  }

  #unpin(key: string): void {
    const n = (this.#pins.get(key) ?? 1) - 1;
    if (n <= 0) this.#pins.delete(key);
    else this.#pins.set(key, n);
  }
}

function drainedOrClosed(s: PassThrough): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      ok();
    };
    s.once('drain', done);
    s.once('close', done);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
