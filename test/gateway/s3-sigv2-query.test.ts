import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/gateway/exchange.js';
import { parseV2Query, v2Signature, v2StringToSign } from '../../src/gateway/s3-sigv2-query.js';

/** Just what the SigV2 functions read: method, raw URL, headers, query. */
function exchange(method: string, url: string, headers: Record<string, string> = {}): HttpExchange {
  const q = url.indexOf('?');
  return {
    method,
    req: { url, headers } as unknown as IncomingMessage,
    path: q === -1 ? url : url.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
  } as HttpExchange;
}

// The worked example of the Amazon S3 developer guide, "Signing and authenticating REST requests",
// query string request authentication: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('S3 Signature Version 2 query authentication', () => {
  it("reproduces the developer guide's presigned GET", () => {
    const x = exchange(
      'GET',
      '/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620',
    );
    const parsed = parseV2Query(x);
    expect(parsed).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      signature: 'NpgCjnDzrM+WFzoENXmpNDUsSn8=',
      expires: 1175139620,
    });
    // Virtual-host style (johnsmith.s3.amazonaws.com): the bucket goes in front of the path.
    const toSign = v2StringToSign(x, parsed!.expires, '/johnsmith/photos/puppy.jpg');
    expect(toSign).toBe('GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg');
    expect(v2Signature(SECRET, toSign)).toBe(parsed!.signature);
  });

  it('signs Content-Type, x-amz-* (headers or query) and the sub-resources S3 lists, sorted and decoded', () => {
    const x = exchange(
      'PUT',
      '/b/k%20y?response-content-type=text%2Fplain&x-amz-meta-b=2&uploads&AWSAccessKeyId=K&Signature=S&Expires=9&list-type=2',
      { 'content-type': 'text/plain', 'x-amz-meta-a': ' 1 ' },
    );
    expect(v2StringToSign(x, 9, '/b/k%20y')).toBe(
      'PUT\n\ntext/plain\n9\nx-amz-meta-a:1\nx-amz-meta-b:2\n/b/k%20y?response-content-type=text/plain&uploads',
    );
  });

  it('takes nothing without all three parameters or with a malformed Expires', () => {
    expect(parseV2Query(exchange('GET', '/b/k?AWSAccessKeyId=K&Signature=S'))).toBeUndefined();
    expect(parseV2Query(exchange('GET', '/b/k?AWSAccessKeyId=K&Signature=S&Expires=soon'))).toBeUndefined();
    expect(parseV2Query(exchange('GET', '/b/k?Signature=S&Expires=1'))).toBeUndefined();
  });
});
