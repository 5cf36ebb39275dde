import { beforeAll, describe, expect, it } from 'vitest';
import { assertRuntimeBuilt, exitOf, type RecordedRequest, startFunction } from './harness.js';

beforeAll(assertRuntimeBuilt);

const ECHO_CJS = 'exports.handler = async (event) => ({ format: "cjs", event });';

function expectInitError(request: RecordedRequest, errorType: string) {
  const body = request.json() as { errorType: string; errorMessage: string; trace: string[] };
  expect(request.headers['lambda-runtime-function-error-type']).toBe(errorType);
  expect(body.errorType).toBe(errorType);
  expect(Array.isArray(body.trace)).toBe(true);
  return body;
}

describe('handler resolution', () => {
  it('loads a CommonJS .js handler', async () => {
    const { api } = await startFunction({ 'index.js': ECHO_CJS });
    const outcome = await api.invoke({ n: 1 });
    expect(outcome.path).toMatch(/\/response$/);
    expect(outcome.json()).toEqual({ format: 'cjs', event: { n: 1 } });
  });

  it('imports an ES module .mjs handler', async () => {
    const { api } = await startFunction({ 'index.mjs': 'export const handler = async () => "esm";' });
    expect((await api.invoke({})).json()).toBe('esm');
  });

  it('imports .js as ESM when the package says "type":"module"', async () => {
    const { api } = await startFunction({
      'package.json': '{"type":"module"}',
      'index.js': 'export const handler = async () => import.meta.url.startsWith("file:");',
    });
    expect((await api.invoke({})).json()).toBe(true);
  });

  it('requires a .cjs handler', async () => {
    const { api } = await startFunction({ 'index.cjs': 'module.exports.handler = async () => "cjs";' });
    expect((await api.invoke({})).json()).toBe('cjs');
  });

  it('resolves nested directories and nested property paths', async () => {
    const { api } = await startFunction(
      { 'src/api/users.js': 'exports.app = { nested: { fn: async () => "deep" } };' },
      { _HANDLER: 'src/api/users.app.nested.fn' },
    );
    expect((await api.invoke({})).json()).toBe('deep');
  });

  it('falls back to a module in node_modules', async () => {
    const { api } = await startFunction(
      { 'node_modules/pkg/index.js': 'exports.handler = async () => "from node_modules";' },
      { _HANDLER: 'pkg.handler' },
    );
    expect((await api.invoke({})).json()).toBe('from node_modules');
  });

  it('runs ESM top-level await as part of init', async () => {
    const { api } = await startFunction({
      'index.mjs': `const value = await new Promise((resolve) => setTimeout(() => resolve(42), 5));
        export const handler = async () => value;`,
    });
    expect((await api.invoke({})).json()).toBe(42);
  });
});

describe('init errors', () => {
  it('reports a missing module as Runtime.ImportModuleError and exits 129', async () => {
    const { api, runtime } = await startFunction({}, { _HANDLER: 'missing.handler' });
    const body = expectInitError(await api.waitForInitError(), 'Runtime.ImportModuleError');
    expect(body.errorMessage).toMatch(/^Error: Cannot find module 'missing'\nRequire stack:\n- .*index\.js$/);
    expect(body.trace[0]).toBe("Runtime.ImportModuleError: Error: Cannot find module 'missing'");
    expect((await exitOf(runtime)).code).toBe(129);
    expect(runtime.stdout()).toMatch(
      /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime\.ImportModuleError"/,
    );
  });

  it('reports an unexported handler as Runtime.HandlerNotFound', async () => {
    const { api, runtime } = await startFunction({ 'index.js': ECHO_CJS }, { _HANDLER: 'index.nope' });
    const body = expectInitError(await api.waitForInitError(), 'Runtime.HandlerNotFound');
    expect(body.errorMessage).toBe('index.nope is undefined or not exported');
    expect((await exitOf(runtime)).code).not.toBe(0);
  });

  it('reports a non-function handler as Runtime.HandlerNotFound', async () => {
    const { api } = await startFunction({ 'index.js': 'exports.handler = 42;' });
    expect(expectInitError(await api.waitForInitError(), 'Runtime.HandlerNotFound').errorMessage).toBe(
      'index.handler is not a function',
    );
  });

  it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
    const { api } = await startFunction({ 'index.js': 'exports.handler = async () => {;' });
    const body = expectInitError(await api.waitForInitError(), 'Runtime.UserCodeSyntaxError');
    expect(body.errorMessage).toMatch(/^SyntaxError: /);
  });

  it('rejects a handler without a function part as Runtime.MalformedHandlerName', async () => {
    const { api } = await startFunction({ 'index.js': ECHO_CJS }, { _HANDLER: 'index' });
    expect(expectInitError(await api.waitForInitError(), 'Runtime.MalformedHandlerName').errorMessage).toBe(
      'Bad handler',
    );
  });

  it('rejects ".." in the handler as Runtime.MalformedHandlerName', async () => {
    const { api } = await startFunction({ 'index.js': ECHO_CJS }, { _HANDLER: '../index.handler' });
    expect(expectInitError(await api.waitForInitError(), 'Runtime.MalformedHandlerName').errorMessage).toBe(
      "'../index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
    );
  });

  it('reports an exception thrown by module code during init', async () => {
    const { api, runtime } = await startFunction({
      'index.mjs': 'await Promise.resolve(); throw new TypeError("init boom");',
    });
    const body = expectInitError(await api.waitForInitError(), 'TypeError');
    expect(body.errorMessage).toBe('init boom');
    expect((await exitOf(runtime)).code).toBe(129);
  });

  it('reports a top-level await that can never settle as Runtime.NodeJsExit', async () => {
    const { api, runtime } = await startFunction({
      'index.mjs': 'await new Promise(() => {}); export const handler = async () => 1;',
    });
    expectInitError(await api.waitForInitError(), 'Runtime.NodeJsExit');
    expect((await exitOf(runtime)).code).toBe(129);
  });

  it('reports an unhandled rejection during init and exits 128', async () => {
    const { api, runtime } = await startFunction({
      'index.js': 'Promise.reject(new Error("lost")); exports.handler = async () => 1;',
    });
    const body = expectInitError(await api.waitForInitError(), 'Runtime.UnhandledPromiseRejection');
    expect(body.errorMessage).toBe('Error: lost');
    expect((await exitOf(runtime)).code).toBe(128);
  });
});
