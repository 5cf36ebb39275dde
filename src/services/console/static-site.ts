import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpExchange, Surface } from '../../gateway/exchange.js';
import { SigV4Authenticator } from '../../gateway/sigv4-auth.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

/**
 * The console only talks to its own origin; CodeMirror injects its styles at run time, hence
 * inline styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface CachedFile {
  version: string;
  body: Buffer;
  gzip?: Buffer;
  etag: string;
}

export interface StaticSiteOptions {
  /** URL prefix without a trailing slash, e.g. `/console`. */
  prefix: string;
  /** The built site (`index.html` and `assets/`). */
  root: string;
  /** Whether GET / from a browser goes to the site. */
  redirectRoot?: boolean;
}

/**
 * Serves a built single-page app: hashed files under `assets/` are cached for a year; `index.html`
 * answers every other path without a file extension (the app routes on the client) and is
 * revalidated each time (ETag). Text is gzipped once and kept in memory. Static files are public:
 * the app asks for credentials itself and signs its API calls.
 */
export class StaticSite implements Surface {
  readonly name = 'console';
  readonly #root: string;
  readonly #cache = new Map<string, CachedFile>();

  constructor(private readonly o: StaticSiteOptions) {
    this.#root = resolve(o.root);
  }

  matches(x: HttpExchange): boolean {
    // Signed requests are API calls (an S3 bucket named like the prefix, say), never the app.
    if (SigV4Authenticator.isSigned(x)) return false;
    if (x.path === this.o.prefix || x.path.startsWith(`${this.o.prefix}/`)) return true;
    // A browser opening the server's root; never an API client (they sign, and ask for JSON/XML).
    return (
      this.o.redirectRoot === true &&
      x.path === '/' &&
      x.method === 'GET' &&
      (x.req.headers.accept ?? '').includes('text/html')
    );
  }

  async handle(x: HttpExchange): Promise<void> {
    x.req.resume();
    if (x.method !== 'GET' && x.method !== 'HEAD') {
      return this.#text(x, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    }
    if (x.path === '/' || x.path === this.o.prefix) {
      x.res.writeHead(302, { location: `${this.o.prefix}/`, 'content-length': 0 });
      x.res.end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(x.path.slice(this.o.prefix.length + 1));
    } catch {
      return this.#text(x, 400, 'Bad Request');
    }
    if (rel.includes('\0') || rel.split('/').some((s) => s === '..')) return this.#text(x, 404, 'Not Found');
    const ext = extname(rel);
    // Client-side routes (no extension) get the app; a missing file with an extension is a 404.
    const file = rel === '' || ext === '' ? 'index.html' : rel;
    const path = join(this.#root, file);
    if (!path.startsWith(this.#root + sep)) return this.#text(x, 404, 'Not Found');
    const cached = await this.#load(path, extname(file));
    if (!cached) {
      if (file === 'index.html') {
        return this.#text(x, 503, 'The console is not built. Run `npm run build` and restart Nimbus.');
      }
      return this.#text(x, 404, 'Not Found');
    }
    const cacheControl = file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    const headers: Record<string, string | number> = {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': cacheControl,
      etag: cached.etag,
      'x-content-type-options': 'nosniff',
      vary: 'Accept-Encoding',
    };
    if (extname(file) === '.html') {
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
      headers['x-frame-options'] = 'DENY';
      headers['referrer-policy'] = 'no-referrer';
    }
    if (x.req.headers['if-none-match'] === cached.etag) {
      x.res.writeHead(304, { etag: cached.etag, 'cache-control': cacheControl });
      x.res.end();
      return;
    }
    const gzip = cached.gzip && /\bgzip\b/.test(String(x.req.headers['accept-encoding'] ?? ''));
    const body = gzip ? cached.gzip! : cached.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = body.length;
    x.res.writeHead(200, headers);
    x.res.end(x.method === 'HEAD' ? undefined : body);
  }

  /** The file's bytes, re-read when it changes on disk (a rebuild). */
  async #load(path: string, ext: string): Promise<CachedFile | undefined> {
    let version: string;
    try {
      const s = await stat(path);
      if (!s.isFile()) return undefined;
      version = `${s.size}:${s.mtimeMs}`;
    } catch {
      return undefined;
    }
    const hit = this.#cache.get(path);
    if (hit?.version === version) return hit;
    const body = await readFile(path);
    const entry: CachedFile = {
      version,
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      ...(COMPRESSIBLE.has(ext) && body.length > 1024 ? { gzip: gzipSync(body) } : {}),
    };
    this.#cache.set(path, entry);
    return entry;
  }

  #text(x: HttpExchange, status: number, text: string, extra: Record<string, string> = {}): void {
    x.res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-content-type-options': 'nosniff',
      ...extra,
    });
    x.res.end(text);
  }
}
