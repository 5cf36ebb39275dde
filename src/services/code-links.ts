import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';

/** How long a GetFunction `Code.Location` link stays valid, as on AWS. */
export const CODE_LINK_TTL_MS = 10 * 60_000;

/**
 * Pre-signed download links for deployment packages: `Code.Location` of GetFunction points at the
 * Nimbus API with an expiry and an HMAC, so the link works without credentials and only for a
 * while.
 */
export class CodeLinks {
  constructor(
    private readonly secret: Buffer,
    private readonly clock: Clock,
  ) {}

  url(baseUrl: string, blobKey: string): string {
    const expires = this.clock.now() + CODE_LINK_TTL_MS;
    return `${baseUrl}/nimbus/v1/code/${blobKey}?expires=${expires}&signature=${this.#sign(blobKey, expires)}`;
  }

  verify(blobKey: string, expires: string | null, signature: string | null): boolean {
    const at = Number(expires);
    if (!signature || !Number.isFinite(at) || at < this.clock.now()) return false;
    const expected = Buffer.from(this.#sign(blobKey, at));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  #sign(blobKey: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${blobKey}\n${expires}`).digest('hex');
  }
}
