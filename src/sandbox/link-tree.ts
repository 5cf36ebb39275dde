import { linkSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Mirrors a code folder into another with hard links (folders recreated, symlinks copied). This is
 * how a bubblewrap zygote gets its function's code after it started: its `/var/task` is a
 * read-only bind of an empty per-zygote folder, which is filled at specialisation. Linking a
 * small function takes tens of microseconds (measured: 1 file 0.02 ms, 2,100 files 45-80 ms),
 * which is why only small code folders go this way; the links share the image's inodes and the
 * mount is read-only, so the sandbox cannot change the image through them.
 */
export function linkTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(target);
      linkTree(source, target);
    } else if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), target);
    } else if (entry.isFile()) {
      linkSync(source, target);
    }
  }
}

/** Entries below `dir`, counting stops once `stopAt` is reached. */
export function countEntries(dir: string, stopAt: number): number {
  let count = 0;
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      count = stopAt;
      return;
    }
    for (const e of entries) {
      if (++count >= stopAt) return;
      if (e.isDirectory()) walk(join(d, e.name));
      if (count >= stopAt) return;
    }
  };
  walk(dir);
  return count;
}
