import { type HttpRequestData, headerValue } from './http-request.js';

/** A CORS configuration, the same members for function URLs (`Cors`) and HTTP APIs. */
export interface CorsPolicy {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

/** A browser's preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(req: HttpRequestData): boolean {
  return (
    req.method === 'OPTIONS' &&
    headerValue(req.headers, 'origin') !== undefined &&
    headerValue(req.headers, 'access-control-request-method') !== undefined
  );
}

/**
 * The headers that answer a preflight when CORS is configured: the front door answers it itself,
 * without invoking the function. An origin that is not allowed gets no CORS headers at all.
 */
export function preflightHeaders(policy: CorsPolicy, req: HttpRequestData): [string, string][] {
  const origin = headerValue(req.headers, 'origin') ?? '';
  const allowOrigin = allowedOrigin(policy, origin);
  if (allowOrigin === undefined) return [];
  const method = headerValue(req.headers, 'access-control-request-method') ?? '';
  const requested = headerValue(req.headers, 'access-control-request-headers');
  const methods = policy.allowMethods ?? [];
  if (!methods.includes('*') && !methods.some((m) => m.toUpperCase() === method.toUpperCase())) return [];
  const out: [string, string][] = [['access-control-allow-origin', allowOrigin]];
  out.push(['access-control-allow-methods', methods.includes('*') ? method : methods.join(',')]);
  const allowHeaders = policy.allowHeaders ?? [];
  if (allowHeaders.includes('*') && requested) out.push(['access-control-allow-headers', requested]);
  else if (allowHeaders.length && !allowHeaders.includes('*')) {
    out.push(['access-control-allow-headers', allowHeaders.join(',')]);
  }
  if (policy.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (policy.maxAge !== undefined) out.push(['access-control-max-age', String(policy.maxAge)]);
  out.push(['vary', 'Origin']);
  return out;
}

/**
 * Applies the policy to a response: the front door's CORS headers replace any the function set
 * (as AWS does once CORS is configured). Returns the new header list.
 */
export function applyCors(
  policy: CorsPolicy,
  req: HttpRequestData,
  headers: [string, string][],
): [string, string][] {
  const out = headers.filter(([k]) => !k.toLowerCase().startsWith('access-control-'));
  const origin = headerValue(req.headers, 'origin');
  if (origin === undefined) return out;
  const allowOrigin = allowedOrigin(policy, origin);
  if (allowOrigin === undefined) return out;
  out.push(['access-control-allow-origin', allowOrigin]);
  if (policy.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (policy.exposeHeaders?.length)
    out.push(['access-control-expose-headers', policy.exposeHeaders.join(',')]);
  if (!out.some(([k, v]) => k.toLowerCase() === 'vary' && /\borigin\b/i.test(v)))
    out.push(['vary', 'Origin']);
  return out;
}

function allowedOrigin(policy: CorsPolicy, origin: string): string | undefined {
  const origins = policy.allowOrigins ?? [];
  if (origins.includes('*')) return policy.allowCredentials ? origin : '*';
  return origins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}
