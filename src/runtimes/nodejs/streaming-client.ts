/**
 * The streaming `POST /response` (lambda-reference §4.5): chunked, with error trailers, so it
 * uses Node's `http` client, on a keep-alive connection of its own. Loaded only by functions
 * that stream.
 */
import http from 'node:http';
import {
  ERROR_BODY_TRAILER,
  ERROR_TYPE_HEADER,
  PATHS,
  RESPONSE_MODE_HEADER,
  STREAMING_RESPONSE_MODE,
} from './protocol.js';
import type { RuntimeClient } from './runtime-client.js';

// Captured now: user code may wrap `http.request` (tracing agents do) after init.
const { Agent, request: httpRequest } = http;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Starts the streaming response. Node sends the headers with the first body chunk, so the content
 * type can still change until then. `done` settles when the platform has answered; it is
 * pre-handled so an abandoned stream cannot become an unhandled rejection.
 */
export function openResponseStream(
  client: RuntimeClient,
  requestId: string,
  contentType: string,
): { request: http.ClientRequest; done: Promise<void> } {
  const path = PATHS.response(requestId);
  const headers = {
    [RESPONSE_MODE_HEADER]: STREAMING_RESPONSE_MODE,
    'Transfer-Encoding': 'chunked',
    Trailer: `${ERROR_TYPE_HEADER}, ${ERROR_BODY_TRAILER}`,
    'Content-Type': contentType,
  };
  let request!: http.ClientRequest;
  const done = new Promise<void>((resolve, reject) => {
    const e = client.endpoint;
    const where = 'path' in e ? { socketPath: e.path } : { hostname: e.host, port: e.port };
    request = httpRequest({ ...where, method: 'POST', path, headers, agent }, (response) => {
      response.resume();
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 500) reject(new Error(`Runtime API answered ${status} to POST ${path}`));
        else resolve();
      });
    });
    request.on('error', reject);
  });
  done.catch(() => {});
  return { request, done };
}
