/**
 * Whether a request body reaches the function as text or base64 (`isBase64Encoded`). AWS says
 * only "if the content type of the request is binary, the body is base64-encoded" and does not
 * publish its list (lambda-reference §7.1); these are the types it treats as text in practice.
 */
const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
]);

export function isTextContentType(contentType: string | undefined): boolean | undefined {
  if (contentType === undefined || contentType.trim() === '') return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml');
}

/** The `body` / `isBase64Encoded` pair of an event; `undefined` body when the request had none. */
export function encodeBody(
  body: Buffer,
  contentType: string | undefined,
): { body: string | undefined; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: undefined, isBase64Encoded: false };
  const text = isTextContentType(contentType) ?? isUtf8(body);
  return text
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}

/** Without a content type, valid UTF-8 passes as text (curl and fetch omit the type for strings). */
function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
