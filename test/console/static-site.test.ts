import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/main/paths.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DIST = join(PACKAGE_ROOT, 'console', 'dist');

let s: TestServer;
beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('console/dist is missing: run `npm run build` first');
  s = await startTestServer();
});
afterAll(() => s.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}${path}`, { headers, redirect: 'manual' });

describe('the console at /console', () => {
  it('serves the app with its security headers, revalidated each time', async () => {
    const res = await get('/console/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(
      /<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js"><\/script>/,
    );
    const etag = res.headers.get('etag')!;
    const again = await get('/console/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('answers client-side routes with the app, and missing files with 404', async () => {
    for (const path of ['/console/create', '/console/functions/some-fn', '/console/usage']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root"></div>');
    }
    expect((await get('/console/assets/nope-123.js')).status).toBe(404);
    expect((await get('/console/%2e%2e/package.json')).status).toBe(404);
    expect((await get('/console/../package.json')).status).not.toBe(200);
  });

  it('caches hashed assets for a year, with their content type, gzipped when asked', async () => {
    const js = readdirSync(join(DIST, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;
    const res = await get(`/console/assets/${js}`, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // fetch decodes gzip itself; check the raw encoding header and that the body is the file.
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect((await res.text()).length).toBeGreaterThan(1000);
    const css = readdirSync(join(DIST, 'assets')).find((f) => f.endsWith('.css'))!;
    const c = await get(`/console/assets/${css}`, { 'accept-encoding': 'identity' });
    expect(c.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(c.headers.get('content-encoding')).toBeNull();
  });

  it('sends a browser opening / or /console to the app, but not API clients', async () => {
    const root = await get('/', { accept: 'text/html,application/xhtml+xml' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    expect((await get('/console')).headers.get('location')).toBe('/console/');
    // An API client's `GET /` is S3's ListBuckets (path style), not the console.
    const api = await get('/', { accept: 'application/json' });
    expect(api.status).toBe(200);
    expect(await api.text()).toContain('<ListAllMyBucketsResult');
    // A signed request is an API call: S3 path style on a bucket named "console".
    const signed = await get('/console/key', {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
    });
    expect(signed.status).toBe(404);
    expect(await signed.text()).toContain('<Code>NoSuchBucket</Code>');
    const post = await fetch(`${s.url}/console/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });
});
