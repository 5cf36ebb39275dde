import { createHmac, randomBytes } from 'node:crypto';
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
  return { ...d, secret: installSecret(root, keyFile ? resolve(keyFile) : join(root, 'secret')) };
}

/**
 * The install's secret, checked against the data dir it seals: `<root>/key-check` records a
 * one-way fingerprint of the key the data dir was first opened with, so starting with another key
 * (a new `--key-file`, a lost or swapped file) stops with an error instead of making a fresh key
 * that cannot open what is stored. Moving to `--key-file` is refused while `<root>/secret` is the
 * key in use, with the command that moves it.
 */
function installSecret(root: string, file: string): Buffer {
  const inDataDir = join(root, 'secret');
  if (file !== inDataDir && !existsSync(file) && existsSync(inDataDir)) {
    throw new ConfigError(
      `${file} does not exist, and this data dir's key is still ${inDataDir}: move it there (mv ${inDataDir} ${file}) to keep the data readable`,
    );
  }
  const secret = readOrCreateSecret(file);
  const checkFile = join(root, 'key-check');
  const fingerprint = createHmac('sha256', secret).update('nimbus:key-check').digest('hex');
  if (!existsSync(checkFile)) writeFileSync(checkFile, `${fingerprint}\n`, { mode: 0o600 });
  else if (readFileSync(checkFile, 'utf8').trim() !== fingerprint) {
    throw new ConfigError(
      `${file} is not the key this data dir (${root}) was created with; start with the original key file`,
    );
  }
  return secret;
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
