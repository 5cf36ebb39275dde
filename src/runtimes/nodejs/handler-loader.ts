/**
 * Resolves `_HANDLER` to a function, like RIC `UserFunction.load` (lambda-reference §5.2):
 * `[dir/]module.path.to.fn`; the module is tried as an extensionless file, `.js` (required, or
 * imported when the nearest package.json says `"type":"module"`), `.mjs`, `.cjs` (and the
 * TypeScript extensions on Node >= 24), then `require.resolve` from the task root (node_modules).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './errors.js';
import { existsSync, jsonParse, readFileSync } from './intrinsics.js';

export type UserHandler = (...args: unknown[]) => unknown;

// CommonJS user code is required from the runtime's entry point, so a `Require stack` in an
// import error names it, as AWS's names `/var/runtime/index.mjs`.
const requireUser = createRequire(new URL('./index.js', import.meta.url));

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const TYPESCRIPT_MIN_NODE_MAJOR = 24;

interface HandlerName {
  moduleRoot: string;
  moduleName: string;
  propertyPath: string;
}

export function parseHandlerName(handler: string): HandlerName {
  if (handler.includes('..')) {
    throw new MalformedHandlerName(
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = handler.lastIndexOf('/');
  const match = FUNCTION_EXPR.exec(handler.slice(slash + 1));
  if (!match) throw new MalformedHandlerName('Bad handler');
  return {
    moduleRoot: handler.slice(0, slash + 1),
    moduleName: match[1] ?? '',
    propertyPath: match[2] ?? '',
  };
}

/**
 * Whether the nearest package.json says `"type":"module"`. Stops at a `node_modules` directory
 * (as RIC) and never looks above the task root (RIC goes up to `/`, which on AWS is the same thing).
 */
export function isModulePackage(startDir: string, taskRoot: string): boolean {
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') return false;
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (jsonParse(readFileSync(manifest, 'utf8')) as { type?: unknown } | null)?.type === 'module';
      } catch (error) {
        console.warn(
          `${manifest} cannot be read, it will be ignored for ES module detection purposes.`,
          error,
        );
        return false;
      }
    }
    if (dir === taskRoot || path.dirname(dir) === dir) return false;
  }
}

function tryRequire(file: string): unknown {
  return existsSync(file) ? requireUser(file) : undefined;
}

async function tryImport(file: string): Promise<unknown> {
  return existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

async function loadModule(taskRoot: string, { moduleRoot, moduleName }: HandlerName): Promise<unknown> {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const typeScript = Number(process.versions.node.split('.')[0]) >= TYPESCRIPT_MIN_NODE_MAJOR;
  const esm = isModulePackage(path.dirname(base), taskRoot);
  return (
    tryRequire(base) ||
    (!esm && tryRequire(`${base}.js`)) ||
    (esm && (await tryImport(`${base}.js`))) ||
    (await tryImport(`${base}.mjs`)) ||
    tryRequire(`${base}.cjs`) ||
    (typeScript && !esm && tryRequire(`${base}.ts`)) ||
    (typeScript && esm && (await tryImport(`${base}.ts`))) ||
    (typeScript && (await tryImport(`${base}.mts`))) ||
    (typeScript && tryRequire(`${base}.cts`)) ||
    requireUser(requireUser.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] }))
  );
}

function resolveProperty(module: unknown, propertyPath: string): unknown {
  return propertyPath
    .split('.')
    .reduce<unknown>((value, key) => (value ? (value as Record<string, unknown>)[key] : value), module);
}

/** Loads the handler, throwing the `Runtime.*` errors the platform reports from `/init/error`. */
export async function loadHandler(taskRoot: string, handler: string): Promise<UserHandler> {
  const name = parseHandlerName(handler);
  let module: unknown;
  try {
    module = await loadModule(path.resolve(taskRoot), name);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    if ((error as NodeJS.ErrnoException | null)?.code === 'MODULE_NOT_FOUND')
      throw new ImportModuleError(error);
    throw error;
  }
  const fn = resolveProperty(module, name.propertyPath);
  if (!fn) throw new HandlerNotFound(`${handler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${handler} is not a function`);
  return fn as UserHandler;
}
