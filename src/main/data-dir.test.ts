import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

  it('refuses to start with another key than the data dir was created with, or a fresh one when moving to --key-file', () => {
    const root = scratch();
    const data = join(root, 'data');
    const original = prepareDataDir(data).secret;
    // Moving to --key-file without moving the key: refused, with the command that fixes it.
    const keyFile = join(root, 'keys', 'nimbus.key');
    expect(() => prepareDataDir(data, keyFile)).toThrow(`mv ${join(data, 'secret')} ${keyFile}`);
    expect(existsSync(keyFile)).toBe(false);
    // Another key: refused.
    writeFileSync(join(root, 'other.key'), 'cd'.repeat(32));
    expect(() => prepareDataDir(data, join(root, 'other.key'))).toThrow(
      /is not the key this data dir .* was created with/,
    );
    // The key moved as told: the same secret, from its new place.
    mkdirSync(join(root, 'keys'));
    renameSync(join(data, 'secret'), keyFile);
    expect(prepareDataDir(data, keyFile).secret.equals(original)).toBe(true);
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
