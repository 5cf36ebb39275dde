import { beforeAll, describe, expect, it } from 'vitest';
import { assertRuntimeBuilt, startFunction } from './harness.js';

beforeAll(assertRuntimeBuilt);

const streaming = (body: string) => ({
  'index.mjs': `import { pipeline } from 'node:stream/promises';
    import { Readable } from 'node:stream';
    export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => { ${body} });`,
});

describe('response streaming', () => {
  it('streams a chunked body with the streaming headers', async () => {
    const { api } = await startFunction(
      streaming(
        `responseStream.write("a"); responseStream.write(Buffer.from("b")); responseStream.end("c");`,
      ),
    );
    const outcome = await api.invoke({});
    expect(outcome.method).toBe('POST');
    expect(outcome.path).toMatch(/\/response$/);
    expect(outcome.headers).toMatchObject({
      'lambda-runtime-function-response-mode': 'streaming',
      'transfer-encoding': 'chunked',
      trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      'content-type': 'application/octet-stream',
    });
    expect(outcome.body.toString()).toBe('abc');
    expect(outcome.trailers).toEqual({});
  });

  it('lets the handler set the content type and pipe into the stream; the next invoke reuses the runtime', async () => {
    const { api } = await startFunction(
      streaming(`responseStream.setContentType("text/plain");
        await pipeline(Readable.from(["x", "y", String(event.n)]), responseStream);`),
    );
    const first = await api.invoke({ n: 1 });
    expect(first.headers['content-type']).toBe('text/plain');
    expect(first.body.toString()).toBe('xy1');
    expect((await api.invoke({ n: 2 })).body.toString()).toBe('xy2');
  });

  it('sends an error thrown mid-stream as trailers', async () => {
    const { api } = await startFunction(
      streaming(`responseStream.write("partial"); await new Promise((r) => setTimeout(r, 5));
        throw new TypeError("mid-stream");`),
    );
    const outcome = await api.invoke({});
    expect(outcome.body.toString()).toBe('partial');
    expect(outcome.trailers['lambda-runtime-function-error-type']).toBe('TypeError');
    const errorBody = JSON.parse(
      Buffer.from(outcome.trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString(),
    );
    expect(errorBody).toMatchObject({ errorType: 'TypeError', errorMessage: 'mid-stream' });
    expect(errorBody.trace[0]).toBe('TypeError: mid-stream');
  });

  it('fails the stream with trailers when a piped source errors', async () => {
    const { api } = await startFunction(
      streaming(`async function* source() { yield "first"; throw new Error("source broke"); }
        await pipeline(Readable.from(source()), responseStream);`),
    );
    const outcome = await api.invoke({});
    expect(outcome.body.toString()).toBe('first');
    expect(outcome.trailers['lambda-runtime-function-error-type']).toBe('Error');
  });

  it('writes the HttpResponseStream prelude and 8 NUL bytes before the body', async () => {
    const prelude = { statusCode: 201, headers: { 'x-custom': '1' }, cookies: ['a=b'] };
    const { api } = await startFunction(
      streaming(`const stream = awslambda.HttpResponseStream.from(responseStream, ${JSON.stringify(prelude)});
        stream.write("hello "); stream.end("world");`),
    );
    const outcome = await api.invoke({});
    expect(outcome.headers['content-type']).toBe('application/vnd.awslambda.http-integration-response');
    expect(outcome.body).toEqual(
      Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8), Buffer.from('hello world')]),
    );
  });

  it('writes the prelude first when the body comes only with end()', async () => {
    const { api } = await startFunction(
      streaming(`awslambda.HttpResponseStream.from(responseStream, { statusCode: 302 }).end("moved");`),
    );
    const outcome = await api.invoke({});
    expect(outcome.body).toEqual(
      Buffer.concat([Buffer.from('{"statusCode":302}'), Buffer.alloc(8), Buffer.from('moved')]),
    );
  });

  it('sends no awslambda global when AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set', async () => {
    const { api } = await startFunction(
      { 'index.js': 'exports.handler = async () => typeof globalThis.awslambda;' },
      { AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: '1' },
    );
    expect((await api.invoke({})).json()).toBe('undefined');
  });
});
