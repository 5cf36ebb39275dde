import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request exactly as given (no client adds or checks anything). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body?: Buffer | string,
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((ok, fail) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** The `<Code>` of an S3 error document. */
export const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

/**
 * Sends request headers and only part of the body a Content-Length promises, then cuts the
 * connection (a client that died mid-upload). Resolves once the socket is closed.
 */
export function truncatedUpload(base: string, path: string, declared: number, sent: Buffer): Promise<void> {
  const url = new URL(base);
  return new Promise((ok, fail) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `PUT ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${declared}\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      socket.write(sent, () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on('error', fail);
    socket.on('close', () => ok());
  });
}
