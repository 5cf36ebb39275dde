import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** What a function needs at run time; types, maps and docs stay out of the zip. */
const SKIP = /(\.d\.ts|\.d\.mts|\.d\.cts|\.map|\.md|\.markdown|LICENSE[^/]*|\.ts)$/i;

/**
 * The files of installed packages and everything they depend on (including the optional
 * dependencies installed on this platform), as zip entries under
 * `node_modules/`, so a test can deploy unchanged third-party code as a real function would ship.
 */
export function nodeModulesFiles(packages: readonly string[]): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const seen = new Set<string>();
  const visit = (name: string, fromDir: string) => {
    const dir = resolvePackage(name, fromDir);
    if (!dir || seen.has(dir)) return;
    seen.add(dir);
    addTree(dir, files);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    // Optional dependencies that are installed here (e.g. sharp's prebuilt `@img/sharp-linux-x64`)
    // are what the package loads at run time on this platform.
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  for (const p of packages) visit(p, ROOT);
  return files;
}

/** Node's lookup: `<dir>/node_modules/<name>`, then the parents' up to the project root. */
function resolvePackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; dir.startsWith(ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT) break;
  }
  return undefined;
}

function addTree(dir: string, files: Record<string, Buffer>): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const st = statSync(path);
    if (st.isDirectory()) {
      // Nested packages are added when they are reached as dependencies.
      if (entry !== 'node_modules' && !path.endsWith('/dist/types')) addTree(path, files);
    } else if (!SKIP.test(entry) || entry === 'package.json') {
      files[relative(ROOT, path).split('\\').join('/')] = readFileSync(path);
    }
  }
}
