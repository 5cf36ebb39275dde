import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HttpConnection } from '../../../src/runtimes/nodejs/http-connection.js';

/** A raw TCP server that answers each request with the next canned bytes, split as given. */
async function rawServer(answers: (string | string[])[]): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  let served = 0;
  const server = net.createServer((socket) => {
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) break;
        requests.push(pending.slice(0, end + 4 + length));
        pending = pending.slice(end + 4 + length);
        const answer = answers[served++] ?? 'HTTP/1.1 500 x\r\nContent-Length: 0\r\n\r\n';
        for (const piece of Array.isArray(answer) ? answer : [answer]) socket.write(piece);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port, requests };
}

describe('HttpConnection (the runtime client transport)', () => {
  it('reads fixed-length and chunked answers, split anywhere, with headers lower-cased', async () => {
    const { port, requests } = await rawServer([
      ['HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-', 'Length: 5\r\n\r\nhel', 'lo'],
      ['HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r', '\n2\r\nde\r\n0\r\n', '\r\n'],
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\nX-Trailer: t\r\n\r\n',
    ]);
    const c = new HttpConnection({ host: '127.0.0.1', port });
    onTestFinished(() => c.close());
    const a = await c.request('GET', '/one');
    expect(a).toMatchObject({ status: 200, headers: { 'x-a': '1', 'content-length': '5' } });
    expect(a.body.toString()).toBe('hello');
    const b = await c.request('POST', '/two', { 'Content-Type': 'application/json' }, '{"x":1}');
    expect([b.status, b.body.toString()]).toEqual([202, 'abcde']);
    expect((await c.request('GET', '/three')).body.toString()).toBe('z');
    expect(requests[1]).toContain('Content-Length: 7\r\n\r\n{"x":1}');
  });

  it('pipelines requests written in one batch and answers them in order', async () => {
    const { port, requests } = await rawServer([
      'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext',
    ]);
    const c = new HttpConnection({ host: '127.0.0.1', port });
    onTestFinished(() => c.close());
    let first!: Promise<{ body: Buffer }>;
    let second!: Promise<{ body: Buffer }>;
    c.batch(() => {
      first = c.request('POST', '/response', {}, 'result');
      second = c.request('GET', '/next');
    });
    expect((await first).body.toString()).toBe('ok');
    expect((await second).body.toString()).toBe('next');
    expect(requests.map((r) => r.split(' ')[1])).toEqual(['/response', '/next']);
  });

  it('works against Node’s own HTTP server, and reconnects after the server closes an idle connection', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    });
    server.keepAliveTimeout = 50;
    const closed: Promise<void>[] = [];
    server.on('connection', (socket) => closed.push(new Promise((resolve) => socket.on('close', resolve))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const c = new HttpConnection({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    onTestFinished(() => c.close());
    expect((await c.request('POST', '/a', {}, 'x')).body.toString()).toBe('{"status":"OK"}');
    await closed[0];
    expect((await c.request('POST', '/b', {}, 'y')).status).toBe(202);
  });

  it('rejects pending requests when the connection fails', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const c = new HttpConnection({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    await expect(c.request('GET', '/next')).rejects.toThrow();
  });
});

describe('HttpConnection over a unix socket (how Nimbus sandboxes reach their Runtime API)', () => {
  it('sends requests and reads answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-uds-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'runtime.sock');
    const server = http.createServer((req, res) => {
      req.resume();
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(`${req.method} ${req.url} ${req.headers.host}`);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const c = new HttpConnection({ path });
    onTestFinished(() => c.close());
    expect((await c.request('GET', '/2018-06-01/runtime/invocation/next')).body.toString()).toBe(
      'GET /2018-06-01/runtime/invocation/next localhost',
    );
    expect((await c.request('POST', '/x', {}, 'body')).status).toBe(200);
  });
});
