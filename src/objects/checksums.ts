import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The additional checksums S3 accepts and returns (`x-amz-checksum-<name>`, base64 of the
 * big-endian digest). Current AWS SDKs send CRC32 by default; the others are there because a
 * client may choose them.
 */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function parseChecksumAlgorithm(raw: string): ChecksumAlgorithm | undefined {
  const upper = raw.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper)
    ? (upper as ChecksumAlgorithm)
    : undefined;
}

/** `x-amz-checksum-crc32` for `CRC32`. */
export const checksumHeader = (a: ChecksumAlgorithm) => `x-amz-checksum-${a.toLowerCase()}`;

/** Digest length in bytes: what a valid base64 value must decode to. */
export const CHECKSUM_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

export interface Checksum {
  update(chunk: Buffer): void;
  /** base64 of the digest. */
  digest(): string;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'CRC32': {
      let c = 0;
      return {
        update: (b) => {
          c = crc32(b, c);
        },
        digest: () => u32(c).toString('base64'),
      };
    }
    case 'CRC32C': {
      let c = 0xffffffff;
      return {
        update: (b) => {
          c = crc32cUpdate(c, b);
        },
        digest: () => u32((c ^ 0xffffffff) >>> 0).toString('base64'),
      };
    }
    case 'CRC64NVME': {
      let hi = 0xffffffff;
      let lo = 0xffffffff;
      return {
        update: (b) => {
          for (let i = 0; i < b.length; i++) {
            const idx = (lo ^ b[i]!) & 0xff;
            lo = ((lo >>> 8) | (hi << 24)) ^ CRC64_LO[idx]!;
            hi = (hi >>> 8) ^ CRC64_HI[idx]!;
          }
        },
        digest: () => {
          const out = Buffer.alloc(8);
          out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
          out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
          return out.toString('base64');
        },
      };
    }
    case 'SHA1':
    case 'SHA256': {
      const h: Hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (b) => h.update(b), digest: () => h.digest('base64') };
    }
  }
}

/** The checksum of `bytes` in one call. */
export function checksumOf(algorithm: ChecksumAlgorithm, bytes: Buffer): string {
  const c = createChecksum(algorithm);
  c.update(bytes);
  return c.digest();
}

/** A well-formed value: base64 of exactly the algorithm's digest length. */
export function isValidChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === CHECKSUM_BYTES[algorithm];
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table driven.
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function crc32cUpdate(crc: number, b: Buffer): number {
  let c = crc;
  for (let i = 0; i < b.length; i++) c = CRC32C_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

// CRC64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), table split into 32-bit halves.
const [CRC64_HI, CRC64_LO] = (() => {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    hi[i] = Number(c >> 32n);
    lo[i] = Number(c & 0xffffffffn);
  }
  return [hi, lo];
})();
