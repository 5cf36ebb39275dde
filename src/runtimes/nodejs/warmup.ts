/**
 * What a zygote does while it waits for its function: runs once, with throwaway inputs, the code
 * paths a cold start takes (the CommonJS loader, the Runtime API connection and its parser, JSON),
 * so V8 has compiled them before the clock starts. Measured here: the first request on a fresh
 * runtime costs several milliseconds more than the second; a warm zygote pays that in advance.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadHandler } from './handler-loader.js';
import { HttpConnection } from './http-connection.js';
import { jsonParse, jsonStringify } from './intrinsics.js';

const ANSWERS = [
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: warmup\r\nContent-Length: 2\r\n\r\n{}',
  'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n{"status":"OK"}\r\n0\r\n\r\n',
];

/** Serves canned Runtime API answers on loopback, one per request, for one connection. */
function cannedServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let served = 0;
    socket.on('data', (chunk: Buffer) => {
      const requests = chunk.toString('latin1').split('\r\n\r\n').length - 1;
      for (let i = 0; i < requests; i++) socket.write(ANSWERS[served++ % ANSWERS.length]!);
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export async function warmUp(): Promise<void> {
  const handler = await loadHandler(fileURLToPath(new URL('./warmup', import.meta.url)), 'index.handler');
  jsonStringify(await handler(jsonParse('{"warm":true}')));
  let server: net.Server | undefined;
  try {
    server = await cannedServer();
    const { port } = server.address() as net.AddressInfo;
    const connection = new HttpConnection({ host: '127.0.0.1', port });
    for (let i = 0; i < 2; i++) {
      const next = await connection.request('GET', '/2018-06-01/runtime/invocation/next');
      jsonParse(next.body.toString('utf8'));
      let posted!: Promise<unknown>;
      connection.batch(() => {
        posted = connection.request('POST', '/2018-06-01/runtime/invocation/warmup/response', {}, '{}');
      });
      await posted;
    }
    connection.close();
  } catch {
    // Warming is an optimisation; a host without loopback networking still gets a working zygote.
  } finally {
    server?.close();
  }
}
