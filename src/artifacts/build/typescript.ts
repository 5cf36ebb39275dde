import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { version as esbuildVersion, transform } from 'esbuild';

export { esbuildVersion };

const SOURCE = /\.(ts|mts|cts)$/;

/** TypeScript sources to transpile: outside node_modules, not declarations, without output yet. */
export function typescriptSources(files: readonly string[]): string[] {
  const present = new Set(files);
  return files.filter(
    (f) =>
      SOURCE.test(f) &&
      !/\.d\.[mc]?ts$/.test(f) &&
      !f.split('/').includes('node_modules') &&
      !present.has(outputName(f)),
  );
}

function outputName(file: string): string {
  return file
    .replace(/\.ts$/, '.js')
    .replace(/\.mts$/, '.mjs')
    .replace(/\.cts$/, '.cjs');
}

/**
 * Transpiles each TypeScript file next to itself (types stripped, no bundling, no type check), as
 * CommonJS or ES module the way Node will load the output: `.mts` → ESM, `.cts` → CJS, `.ts` → what
 * the nearest package.json says. Source maps are inlined so stack traces point at the `.ts` lines.
 */
export async function transpileTypescript(root: string, files: readonly string[], log: (l: string) => void) {
  for (const file of files) {
    const path = join(root, file);
    const format = file.endsWith('.mts')
      ? 'esm'
      : file.endsWith('.cts')
        ? 'cjs'
        : packageFormat(root, dirname(path));
    const source = await readFile(path, 'utf8');
    const out = await transform(source, {
      loader: 'ts',
      format,
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: file,
    });
    for (const w of out.warnings) log(`${file}: warning: ${w.text}`);
    await writeFile(join(root, outputName(file)), out.code, { mode: 0o644 });
    log(`esbuild ${esbuildVersion}: ${file} -> ${outputName(file)} (${format})`);
  }
}

function packageFormat(root: string, dir: string): 'esm' | 'cjs' {
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    const manifest = join(d, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module'
          ? 'esm'
          : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (d === root) break;
  }
  return 'cjs';
}
