import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';
import { type HttpExchange, type Surface, sendJson, toExchange } from './exchange.js';

/**
 * The one HTTP server: every API lives on this port. Each request goes to the first surface that
 * claims it; anything unclaimed gets an AWS-shaped 404.
 */
export class Gateway {
  readonly #server: Server;
  #url?: string;

  constructor(
    private readonly surfaces: readonly Surface[],
    private readonly log: Logger,
  ) {
    this.#server = createServer({ keepAlive: true, noDelay: true, requestTimeout: 0 }, (req, res) => {
      const x = toExchange(req, res);
      const surface = this.surfaces.find((s) => s.matches(x));
      if (!surface) return notFound(x);
      surface.handle(x).catch((err: unknown) => {
        this.log.error({ err, surface: surface.name }, 'request failed');
        if (!res.headersSent) sendJson(x, 500, { message: 'Internal server error' });
        else res.destroy();
      });
    });
    // Invocations may run for up to 15 minutes; do not let Node cut them off.
    this.#server.headersTimeout = 60_000;
    this.#server.keepAliveTimeout = 65_000;
  }

  get url(): string {
    if (!this.#url) throw new Error('gateway is not listening');
    return this.#url;
  }

  listen(host: string, port: number): Promise<string> {
    return new Promise((ok, fail) => {
      this.#server.once('error', fail);
      this.#server.listen(port, host, () => {
        this.#server.off('error', fail);
        const a = this.#server.address() as AddressInfo;
        const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        this.#url = `http://${h === '0.0.0.0' ? '127.0.0.1' : h}:${a.port}`;
        ok(this.#url);
      });
    });
  }

  /** Stops accepting connections; in-flight requests get `graceMs` to finish. */
  async close(graceMs = 5_000): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((ok) => this.#server.close(() => ok()));
    this.#server.closeIdleConnections();
    const timer = setTimeout(() => this.#server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
  }
}

function notFound(x: HttpExchange): void {
  sendJson(
    x,
    404,
    { Type: 'User', Message: `Unknown operation: ${x.method} ${x.path}` },
    { 'x-amzn-errortype': 'UnknownOperationException' },
  );
}
