import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../lib/sha256-checksum.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
}

/**
 * Credentials for signing, when the environment has them: `NIMBUS_ACCESS_KEY_ID` /
 * `NIMBUS_SECRET_ACCESS_KEY`, else the AWS variables the AWS CLI and SDKs read.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): SigningCredentials | undefined {
  const region = env.NIMBUS_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  if (env.NIMBUS_ACCESS_KEY_ID && env.NIMBUS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.NIMBUS_ACCESS_KEY_ID, secretAccessKey: env.NIMBUS_SECRET_ACCESS_KEY, region };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      region,
    };
  }
  return undefined;
}

/**
 * Signs a request with SigV4 as the AWS SDKs do: for `service` when given (`s3`, `scheduler`),
 * else `nimbus` for Nimbus's own paths and `lambda` for the rest. S3 requests sign
 * `UNSIGNED-PAYLOAD` so bodies can stream, and their paths as sent.
 */
export async function signRequest(
  c: SigningCredentials,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  service?: string,
): Promise<Record<string, string>> {
  const s3 = service === 's3';
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    },
    region: c.region,
    service: service ?? (url.pathname.startsWith('/nimbus/') ? 'nimbus' : 'lambda'),
    sha256: Sha256,
    uriEscapePath: !s3,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host, ...(s3 ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}) },
      ...(body === undefined || s3 ? {} : { body }),
    }),
  );
  return signed.headers as Record<string, string>;
}

/**
 * What the CLI signs with when the environment has no credentials: a server that does not enforce
 * authentication accepts any key, and APIs claimed by their signing name (the Scheduler's) need a
 * signature to be recognised at all.
 */
export const ANONYMOUS_CREDENTIALS: SigningCredentials = {
  accessKeyId: 'nimbus-cli',
  secretAccessKey: 'nimbus-cli',
  region: 'us-east-1',
};
