import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file lives in `src/main` or `dist/main`). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Built in-sandbox runtimes (`dist/runtimes/<family>/`). */
export const RUNTIMES_DIR = join(PACKAGE_ROOT, 'dist', 'runtimes');

export const NIMBUS_VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
