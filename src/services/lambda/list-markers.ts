import { invalidContent } from '../../domain/errors.js';

/**
 * Pagination markers of the Lambda List* operations. A marker is opaque to clients; Nimbus makes
 * it the base64url of the last listed item's key, so a page can resume after it. A marker that
 * does not decode to a key of the expected shape is refused as Lambda refuses it.
 */

/** Names of functions, layers and aliases; version numbers; `$LATEST`. */
const KEY = /^(\$LATEST|[a-zA-Z0-9-_]+)$/;

export function encodeMarker(key: string): string {
  return Buffer.from(key).toString('base64url');
}

export function decodeMarker(marker: string, shape: RegExp = KEY): string {
  const key = Buffer.from(marker, 'base64url').toString('utf8');
  if (!shape.test(key)) throw invalidContent(`Invalid Marker: ${marker}`);
  return key;
}

/**
 * One page of a list held in memory: the items after the marker's key, at most `maxItems`, and
 * the marker of the next page when more remain.
 */
export function pageAfter<T>(
  all: readonly T[],
  keyOf: (item: T) => string,
  marker: string | undefined,
  maxItems: number,
): { page: T[]; nextMarker?: string } {
  let start = 0;
  if (marker) {
    const key = decodeMarker(marker);
    const i = all.findIndex((item) => keyOf(item) === key);
    if (i < 0) throw invalidContent(`Invalid Marker: ${marker}`);
    start = i + 1;
  }
  const page = all.slice(start, start + maxItems);
  const last = page[page.length - 1];
  return start + maxItems < all.length && last !== undefined
    ? { page, nextMarker: encodeMarker(keyOf(last)) }
    : { page };
}
