import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { resolveServerConfig, type ServerConfigInput } from '../../src/config/server-config.js';
import { type Nimbus, type NimbusOptions, startNimbus } from '../../src/main/nimbus.js';
import { silentLogger } from '../../src/observability/logger.js';

export interface TestServer {
  nimbus: Nimbus;
  url: string;
  dataDir: string;
  lambda: LambdaClient;
  close(): Promise<void>;
}

/** Dummy credentials: Nimbus accepts SigV4-signed requests from any key. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A real Nimbus on port 0 with a fresh data dir, and an AWS SDK client pointed at it. */
export async function startTestServer(
  config: Partial<ServerConfigInput> = {},
  options: NimbusOptions & { dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nimbus-test-'));
  const nimbus = await startNimbus(resolveServerConfig({ port: 0, dataDir, ...config }, {}), {
    logger: silentLogger,
    ...options,
  });
  const lambda = new LambdaClient({
    endpoint: nimbus.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    nimbus,
    url: nimbus.url,
    dataDir,
    lambda,
    async close() {
      lambda.destroy();
      await nimbus.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const TEST_ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
