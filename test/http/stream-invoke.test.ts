import {
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamResponseEvent,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await Promise.all([
    createFunction(s.lambda, 'streamer', {
      'index.mjs': `
        export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
          responseStream.setContentType('text/plain');
          for (let i = 0; i < event.n; i++) {
            responseStream.write('chunk-' + i + ';');
            await new Promise((r) => setTimeout(r, 30));
          }
          if (event.fail) throw new TypeError('stream broke');
          responseStream.end();
        });`,
    }),
    createFunction(s.lambda, 'buffered', { 'index.js': 'exports.handler = async (e) => ({ got: e });' }),
  ]);
});
afterAll(() => s.close());

async function collect(stream: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined) {
  const chunks: { text: string; at: number }[] = [];
  let complete: InvokeWithResponseStreamResponseEvent['InvokeComplete'];
  for await (const event of stream ?? []) {
    if (event.PayloadChunk?.Payload)
      chunks.push({ text: Buffer.from(event.PayloadChunk.Payload).toString(), at: Date.now() });
    if (event.InvokeComplete) complete = event.InvokeComplete;
  }
  return { chunks, complete };
}

describe('InvokeWithResponseStream', () => {
  it('delivers the chunks as the function writes them, then InvokeComplete, to the AWS SDK', async () => {
    const out = await s.lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'streamer',
        Payload: JSON.stringify({ n: 4 }),
        LogType: 'Tail',
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.ResponseStreamContentType).toBe('text/plain');
    const { chunks, complete } = await collect(out.EventStream);
    expect(chunks.map((c) => c.text).join('')).toBe('chunk-0;chunk-1;chunk-2;chunk-3;');
    expect(chunks.length).toBeGreaterThan(1);
    // Streamed, not buffered: the chunks arrived spread over the function's run.
    expect(chunks[chunks.length - 1]!.at - chunks[0]!.at).toBeGreaterThan(40);
    expect(complete?.ErrorCode).toBeUndefined();
    expect(Buffer.from(complete?.LogResult ?? '', 'base64').toString()).toMatch(/REPORT RequestId/);
  });

  it('reports a mid-stream failure in InvokeComplete', async () => {
    const out = await s.lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'streamer',
        Payload: JSON.stringify({ n: 1, fail: true }),
      }),
    );
    const { chunks, complete } = await collect(out.EventStream);
    expect(chunks.map((c) => c.text).join('')).toBe('chunk-0;');
    expect(complete).toMatchObject({ ErrorCode: 'TypeError', ErrorDetails: 'stream broke' });
  });

  it("sends a buffered function's response as one chunk", async () => {
    const out = await s.lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'buffered', Payload: JSON.stringify({ a: 1 }) }),
    );
    const { chunks, complete } = await collect(out.EventStream);
    expect(JSON.parse(chunks.map((c) => c.text).join(''))).toEqual({ got: { a: 1 } });
    expect(complete?.ErrorCode).toBeUndefined();
  });

  it('answers a missing function and a bad invocation type as Lambda errors', async () => {
    await expect(
      s.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'missing', Payload: '{}' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      s.lambda.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'streamer',
          Payload: '{}',
          InvocationType: 'Event' as never,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
