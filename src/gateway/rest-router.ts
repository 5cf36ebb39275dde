/**
 * Matches `METHOD /path/{Param}` patterns against request paths, decoding every path segment
 * (SDKs percent-encode `:` and `$` in ARNs and qualifiers). A trailing slash is ignored.
 */
export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

interface CompiledRoute<H> {
  method: string;
  segments: { literal?: string; param?: string; greedy?: boolean }[];
  handler: H;
}

export class RestRouter<H> {
  readonly #routes: CompiledRoute<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    const segments = splitPath(pattern).map((s) => {
      const m = /^\{([A-Za-z]+)(\+?)\}$/.exec(s);
      return m ? { param: m[1]!, greedy: m[2] === '+' } : { literal: s };
    });
    this.#routes.push({ method, segments, handler });
    return this;
  }

  /** `undefined` when no route has this path; `'method-not-allowed'` when only the method differs. */
  match(method: string, rawPath: string): RouteMatch<H> | 'method-not-allowed' | undefined {
    let decoded: string[];
    try {
      decoded = splitPath(rawPath).map((s) => decodeURIComponent(s));
    } catch {
      return undefined;
    }
    let pathMatched = false;
    for (const r of this.#routes) {
      const params = matchSegments(r.segments, decoded);
      if (!params) continue;
      if (r.method !== method) {
        pathMatched = true;
        continue;
      }
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function splitPath(path: string): string[] {
  const parts = path.split('/');
  if (parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function matchSegments(
  segments: CompiledRoute<unknown>['segments'],
  decoded: string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.greedy) {
      if (i >= decoded.length) return undefined;
      params[s.param!] = decoded.slice(i).join('/');
      return params;
    }
    const d = decoded[i];
    if (d === undefined) return undefined;
    if (s.literal !== undefined) {
      if (s.literal !== d) return undefined;
    } else {
      if (d === '') return undefined;
      params[s.param!] = d;
    }
  }
  return decoded.length === segments.length ? params : undefined;
}
