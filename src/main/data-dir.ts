import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/server-config.js';

/** The layout of a data directory (`--data-dir`). */
export interface DataDir {
  root: string;
  database: string;
  blobs: string;
  images: string;
  /** Per-sandbox scratch folders (`/tmp` of each sandbox). */
  sandboxTmp: string;
  /** Per-zygote folders that become a sandbox's `/var/task` (bubblewrap). */
  sandboxSlots: string;
  /** The small `/etc` files sandboxes see (passwd, group). */
  sandboxEtc: string;
  /** Records of started processes and cgroups, for cleaning up after a crash. */
  run: string;
  /** Layers, seen as `/opt`. */
  opt: string;
  /** Scratch folders of builds and layer merges in progress (wiped at start). */
  builds: string;
  /** Package caches of the build step (npm). */
  buildCache: string;
  /** A random secret for signing links and deriving function credentials. */
  secret: Buffer;
}

/**
 * Creates the layout under `dir` and reads the install's secret from `keyFile` (default
 * `<dir>/secret`), creating a random one (mode 0600) if the file does not exist.
 */
export function prepareDataDir(dir: string, keyFile?: string): DataDir {
  const root = resolve(dir);
  const d = {
    root,
    database: join(root, 'nimbus.db'),
    blobs: join(root, 'blobs'),
    images: join(root, 'images'),
    sandboxTmp: join(root, 'sandbox-tmp'),
    sandboxSlots: join(root, 'sandbox-slots'),
    sandboxEtc: join(root, 'sandbox-etc'),
    run: join(root, 'run'),
    opt: join(root, 'opt'),
    builds: join(root, 'builds'),
    buildCache: join(root, 'build-cache'),
  };
  for (const p of [root, d.blobs, d.images, d.opt, d.buildCache]) mkdirSync(p, { recursive: true });
  rmSync(d.builds, { recursive: true, force: true });
  mkdirSync(d.builds, { recursive: true });
  // Scratch of sandboxes from a previous run (a crash leaves them) is garbage.
  for (const scratch of [d.sandboxTmp, d.sandboxSlots]) {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
  }
  // Without this, Node would treat CommonJS function code under a data dir inside an ESM
  // project as ESM (it looks for the nearest package.json above the code).
  writeFileSync(join(d.images, 'package.json'), '{"type":"commonjs"}\n');
  return { ...d, secret: readOrCreateSecret(keyFile ? resolve(keyFile) : join(root, 'secret')) };
}

function readOrCreateSecret(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^(?:[0-9a-f]{2}){32,}$/i.test(hex)) {
    throw new ConfigError(
      `${file} is not a Nimbus key (64 or more hexadecimal digits expected, e.g. from openssl rand -hex 32)`,
    );
  }
  return Buffer.from(hex, 'hex');
}
