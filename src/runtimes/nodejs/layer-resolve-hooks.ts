/**
 * Module resolution hooks (`module.register`, run by Node on its loader thread) that let ES
 * modules import packages from the `NODE_PATH` directories, as Lambda's Node.js runtimes do since
 * Node.js 18 ("Lambda now searches the folders in the NODE_PATH environment variable when loading
 * ES modules"): a function's `import '@aws-lambda-powertools/logger'` finds the package in a
 * layer's `/opt/nodejs/node_modules`. Node's own ESM resolver ignores `NODE_PATH`.
 *
 * Only bare specifiers that Node could not resolve from the importing file are retried, one
 * directory at a time in `NODE_PATH` order; everything else resolves exactly as Node resolves it,
 * and a package found nowhere fails with Node's original error.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LayerResolveData {
  /** `NODE_PATH` entries that are `node_modules` directories, in order. */
  dirs: string[];
}

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<unknown>;

/** For each directory, a file beside it: resolving from there looks in that `node_modules` first. */
let parents: string[] = [];

export function initialize(data: LayerResolveData): void {
  parents = data.dirs.map((dir) => pathToFileURL(path.join(path.dirname(dir), '[nimbus-layer].mjs')).href);
}

/** `pkg`, `@scope/pkg/sub`: not relative, absolute, a URL (`node:`, `file:`) or a `#` import. */
export function isBareSpecifier(specifier: string): boolean {
  return (
    !/^(?:\.{0,2}\/|#|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier) && specifier !== '.' && specifier !== '..'
  );
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve,
): Promise<unknown> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND' || !isBareSpecifier(specifier))
      throw error;
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this directory: try the next one
      }
    }
    throw error;
  }
}
