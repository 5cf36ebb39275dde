import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Bwrap } from '../../src/sandbox/bwrap.js';

/**
 * Tests that need a system package (installed by `.ci/run`) call this. Locally, a missing package
 * skips the test with the reason; in CI (`CI=true`) it is a failure.
 */
export function requireTool(name: string, found: string | undefined, install: string): string | undefined {
  if (found) return found;
  const why = `${name} is not installed (${install})`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI must install it`);
  console.warn(`skipping: ${why}`);
  return undefined;
}

/** The AWS CLI v2 (Debian's `awscli`), not a v1 that may come first on PATH. */
export function findAwsCliV2(): string | undefined {
  for (const candidate of ['/usr/bin/aws', '/usr/local/bin/aws', 'aws']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    try {
      const v = execFileSync(candidate, ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (v.startsWith('aws-cli/2.')) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * bubblewrap, installed AND able to create Nimbus's sandboxes here (a container without the
 * privileges for namespaces has the binary but cannot use it; CI must be able to).
 */
export function requireBwrap(): string | undefined {
  const found = Bwrap.detect();
  return requireTool('bubblewrap', found.bwrap, found.reason ?? 'apt-get install -y bubblewrap');
}
