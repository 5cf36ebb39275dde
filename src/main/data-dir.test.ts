import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDataDir } from './data-dir.js';

const made: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'nimbus-datadir-'));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the install secret', () => {
  it('is created once in the data dir by default, private to the owner, and read back the same', () => {
    const root = scratch();
    const first = prepareDataDir(join(root, 'data'));
    expect(first.secret).toHaveLength(32);
    expect(statSync(join(root, 'data', 'secret')).mode & 0o777).toBe(0o600);
    expect(prepareDataDir(join(root, 'data')).secret.equals(first.secret)).toBe(true);
  });

  it('lives in --key-file when given, so the data dir holds no key', () => {
    const root = scratch();
    const keyFile = join(root, 'keys', 'nimbus.key');
    const first = prepareDataDir(join(root, 'data'), keyFile);
    expect(existsSync(join(root, 'data', 'secret'))).toBe(false);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8'), 'hex').equals(first.secret)).toBe(true);
    expect(prepareDataDir(join(root, 'data'), keyFile).secret.equals(first.secret)).toBe(true);
  });

  it('refuses a key file that is not a key, naming it', () => {
    const root = scratch();
    const keyFile = join(root, 'wrong.key');
    writeFileSync(keyFile, 'not hex at all\n');
    expect(() => prepareDataDir(join(root, 'data'), keyFile)).toThrow(`${keyFile} is not a Nimbus key`);
    writeFileSync(keyFile, 'ab'.repeat(8));
    expect(() => prepareDataDir(join(root, 'data'), keyFile)).toThrow(/64 or more hexadecimal digits/);
  });
});
