import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, type RunningProcess } from './processes.js';

/**
 * serverless-offline, the tool most Node developers use to run API Gateway + Lambda locally, as a
 * comparison. It is heavy (~140 MB with `osls`, the open fork of Serverless Framework v3), so it is
 * installed on first use into `bench/.cache/`, not with the project (`--legacy-peer-deps`, or npm
 * pulls `serverless@4`, which needs a login; platform-notes).
 */
const CACHE = resolve(import.meta.dirname, '..', '.cache', 'serverless-offline');
const PACKAGES = ['osls@4', 'serverless-offline@14'];

export async function installServerlessOffline(): Promise<string | undefined> {
  if (existsSync(join(CACHE, 'node_modules', 'serverless-offline', 'package.json'))) return CACHE;
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, 'package.json'), '{"name":"nimbus-bench-serverless-offline","private":true}\n');
  console.log(`installing ${PACKAGES.join(' ')} into ${CACHE} (first run only)...`);
  const ok = await new Promise<boolean>((done) =>
    execFile(
      'npm',
      ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', ...PACKAGES],
      { cwd: CACHE, timeout: 600_000 },
      (err, _out, stderr) => {
        if (err)
          console.log(
            `serverless-offline did not install, so it is not measured: ${stderr.trim().split('\n').pop()}`,
          );
        done(!err);
      },
    ),
  );
  return ok ? CACHE : undefined;
}

/** `sls offline` serving `handlerFile` for every path (`httpApi: '*'`). */
export async function startServerlessOffline(
  dir: string,
  handlerFile: string,
  options: { inProcess?: boolean } = {},
): Promise<RunningProcess> {
  copyFileSync(handlerFile, join(dir, 'handler.js'));
  writeFileSync(
    join(dir, 'serverless.yml'),
    [
      'service: nimbus-bench',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      'plugins:',
      '  - serverless-offline',
      'functions:',
      '  hello:',
      '    handler: handler.handler',
      '    events:',
      "      - httpApi: '*'",
      '',
    ].join('\n'),
  );
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      join(dir, 'node_modules', 'osls', 'bin', 'serverless.js'),
      'offline',
      'start',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
      '--noTimeout',
      ...(options.inProcess ? ['--useInProcess'] : []),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } },
  );
  try {
    await new Promise<void>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`serverless-offline did not start:\n${out}`)), 60_000);
      // It reports readiness on stderr.
      const watch = (c: Buffer) => {
        out += c.toString();
        if (out.includes('Server ready')) {
          clearTimeout(timer);
          // From here on its per-request output is dropped, not collected by the load generator.
          child.stdout?.off('data', watch).resume();
          child.stderr?.off('data', watch).resume();
          ok();
        }
      };
      child.stdout?.on('data', watch);
      child.stderr?.on('data', watch);
      child.once('exit', (code) => fail(new Error(`serverless-offline exited with ${code}:\n${out}`)));
    });
  } catch (e) {
    await stop(child);
    throw e;
  }
  return { url: `http://127.0.0.1:${httpPort}`, child, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
