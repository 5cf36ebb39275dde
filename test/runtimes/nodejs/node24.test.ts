import { beforeAll, describe, expect, it } from 'vitest';
import { assertRuntimeBuilt, exitOf, startFunction } from './harness.js';

beforeAll(assertRuntimeBuilt);

const NODE24 = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };

describe('nodejs24.x semantics (RIC v4)', () => {
  it('gives a context without callback-era members and does not wait for the event loop', async () => {
    const { api } = await startFunction(
      {
        'index.js': `exports.handler = (event, context) => {
          setTimeout(() => {}, 5_000);
          return {
            members: ["callbackWaitsForEmptyEventLoop", "done", "succeed", "fail"].filter((m) => m in context),
            awsRequestId: context.awsRequestId,
            xRayTraceId: context.xRayTraceId,
          };
        };`,
      },
      NODE24,
    );
    const outcome = await api.invoke(
      {},
      { requestId: 'req-24', headers: { 'Lambda-Runtime-Trace-Id': 'Root=1-abc' } },
    );
    expect(outcome.json()).toEqual({ members: [], awsRequestId: 'req-24', xRayTraceId: 'Root=1-abc' });
  });

  it('refuses callback-style handlers at init with Runtime.CallbackHandlerDeprecated', async () => {
    const { api, runtime } = await startFunction(
      { 'index.js': 'exports.handler = (event, context, callback) => callback(null, 1);' },
      NODE24,
    );
    const initError = await api.waitForInitError();
    expect(initError.headers['lambda-runtime-function-error-type']).toBe('Runtime.CallbackHandlerDeprecated');
    expect((initError.json() as { errorMessage: string }).errorMessage).toMatch(
      /^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\./,
    );
    expect((await exitOf(runtime)).code).not.toBe(0);
  });

  it('still fails a promise that can never settle with Runtime.NodeJsExit', async () => {
    const { api } = await startFunction(
      { 'index.mjs': 'export const handler = () => new Promise(() => {});' },
      NODE24,
    );
    expect((await api.invoke({})).headers['lambda-runtime-function-error-type']).toBe('Runtime.NodeJsExit');
  });
});
