import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAwsCliV2, requireTool } from './system-tools.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type AwsCli = (args: string[]) => Promise<CliResult>;

/** The AWS CLI v2 pointed at a Nimbus endpoint, with dummy credentials and no user config. */
export function awsCli(endpoint: string): AwsCli | undefined {
  const bin = requireTool('AWS CLI v2', findAwsCliV2(), 'apt-get install -y awscli');
  if (!bin) return undefined;
  const home = mkdtempSync(join(tmpdir(), 'nimbus-awscli-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  };
  return (args) =>
    new Promise((ok) => {
      execFile(
        bin,
        [...args, '--endpoint-url', endpoint, '--output', 'json'],
        { env, cwd: home, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          ok({ code, stdout, stderr });
        },
      );
    });
}
