/** Query parameters in arrival order, decoded; a key without `=` has the value `''`. */
export function parseQuery(raw: string): [string, string][] {
  const out: [string, string][] = [];
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq === -1 ? part : part.slice(0, eq);
    const v = eq === -1 ? '' : part.slice(eq + 1);
    out.push([decode(k), decode(v)]);
  }
  return out;
}

/** `+` is a space in query strings; malformed escapes pass through as written. */
export function decode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Decodes each path segment; a segment with a malformed escape stays as written. */
export function decodePath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((seg) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    })
    .join('/');
}
