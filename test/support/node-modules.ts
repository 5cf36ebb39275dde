import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * The files of installed packages and everything they need at run time (dependencies and the
 * optional ones installed here, e.g. sharp's prebuilt `@img/sharp-linux-x64`), keyed by their
 * path inside a deployment zip (`node_modules/...`), read from the repository's node_modules.
 */
export function packageFiles(names: readonly string[]): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const dir = join(ROOT, 'node_modules', name);
    if (!existsSync(dir)) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    addTree(dir, files);
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  for (const n of names) visit(n);
  return files;
}

function addTree(dir: string, files: Record<string, Buffer>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) addTree(path, files);
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) {
      files[relative(ROOT, path).split('\\').join('/')] = readFileSync(path);
    }
  }
}
