import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: real servers, sandboxes and the AWS CLI (a Python program) on 2 shared cores.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Tests start real servers and sandbox processes; two cores are all CI has.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    // The AWS SDK warns on every run that its 2027 releases will need Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
