/**
 * HTTP API route keys (`$default`, `GET /pets/{id}`, `ANY /files/{proxy+}`) and how a request
 * picks one: the most specific path wins (a literal segment over a `{param}` over a greedy
 * `{proxy+}`), then a route for the method over `ANY`, and `$default` when nothing else matches.
 */
export const DEFAULT_ROUTE = '$default';
export const ROUTE_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

export interface ParsedRouteKey {
  key: string;
  /** `undefined` for `$default`. */
  method?: string;
  segments: Segment[];
}

/** Parses a route key; a string says what is wrong with it. */
export function parseRouteKey(key: string): ParsedRouteKey | string {
  if (key === DEFAULT_ROUTE) return { key, segments: [] };
  const m = /^([A-Z]+) (\/.*)$/.exec(key);
  if (!m) return `Route key must be $default or "METHOD /path", e.g. "GET /pets/{id}"`;
  const method = m[1]!;
  if (!(ROUTE_METHODS as readonly string[]).includes(method)) {
    return `Route key method must be one of ${ROUTE_METHODS.join(', ')}`;
  }
  const path = m[2]!;
  if (path === '/') return { key, method, segments: [] };
  const parts = path.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (const [i, part] of parts.entries()) {
    if (part === '') return 'Route key path segments must not be empty';
    const p = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(part);
    if (p) {
      const name = p[1]!;
      if (names.has(name)) return `Route key path parameter {${name}} appears twice`;
      names.add(name);
      if (p[2]) {
        if (i !== parts.length - 1) return 'A greedy path variable ({proxy+}) must be the last segment';
        segments.push({ kind: 'greedy', name });
      } else segments.push({ kind: 'param', name });
    } else if (/[{}]/.test(part)) return `Route key path segment "${part}" is not a valid path variable`;
    else if (!/^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/.test(part))
      return `Route key path segment "${part}" is invalid`;
    else segments.push({ kind: 'literal', value: part });
  }
  return { key, method, segments };
}

export interface RouteMatch<T> {
  value: T;
  routeKey: string;
  pathParameters: Record<string, string>;
}

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

/** The routes of one API, matched by method and path. */
export class RouteTable<T> {
  readonly #routes: { route: ParsedRouteKey; value: T }[] = [];
  #default?: { route: ParsedRouteKey; value: T };

  add(route: ParsedRouteKey, value: T): this {
    if (route.method === undefined) this.#default = { route, value };
    else this.#routes.push({ route, value });
    return this;
  }

  /** `path` is the request path below the stage, still percent-encoded. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const decoded = splitDecoded(path);
    let best: { route: ParsedRouteKey; value: T; params: Record<string, string>; rank: number[] } | undefined;
    for (const { route, value } of this.#routes) {
      if (route.method !== 'ANY' && route.method !== method) continue;
      const params = matchSegments(route.segments, decoded);
      if (!params) continue;
      const rank = [...route.segments.map((s) => RANK[s.kind]), route.method === 'ANY' ? 1 : 0];
      if (!best || compareRank(rank, best.rank) < 0) best = { route, value, params, rank };
    }
    if (best) return { value: best.value, routeKey: best.route.key, pathParameters: best.params };
    if (this.#default) return { value: this.#default.value, routeKey: DEFAULT_ROUTE, pathParameters: {} };
    return undefined;
  }
}

function splitDecoded(path: string): string[] {
  if (path === '' || path === '/') return [];
  return path
    .slice(path.startsWith('/') ? 1 : 0)
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === 'greedy') {
      if (i >= parts.length || parts.slice(i).join('/') === '') return undefined;
      params[s.name] = parts.slice(i).join('/');
      return params;
    }
    const p = parts[i];
    if (p === undefined || p === '') return undefined;
    if (s.kind === 'literal') {
      if (s.value !== p) return undefined;
    } else params[s.name] = p;
  }
  return parts.length === segments.length ? params : undefined;
}

/** Lexicographic; at a tie in shared segments, the longer (more literal) route ranks first. */
function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return b.length - a.length;
}
