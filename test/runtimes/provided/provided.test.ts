import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvokeCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../../support/aws-cli.js';
import { createFunction, decode, decodeJson } from '../../support/functions.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../../support/server.js';
import { requireTool } from '../../support/system-tools.js';
import { TUTORIAL_BOOTSTRAP, TUTORIAL_FUNCTION } from '../../support/tutorial-runtime.js';
import { makeZip } from '../../support/zip.js';

let s: TestServer;
let cli: AwsCli | undefined;
let work: string;
const curl = requireTool('curl', whichSync('curl'), 'apt-get install -y curl');
beforeAll(async () => {
  s = await startTestServer();
  cli = awsCli(s.url);
  work = mkdtempSync(join(tmpdir(), 'nimbus-provided-'));
});
afterAll(async () => {
  await s.close();
  rmSync(work, { recursive: true, force: true });
});

function whichSync(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const exe = (content: string) => ({ content, mode: 0o100755 });

describe('custom runtimes (provided.al2023, provided.al2)', () => {
  it("runs AWS's tutorial shell bootstrap unchanged, created and invoked with the AWS CLI", async () => {
    if (!cli || !curl) return;
    writeFileSync(
      join(work, 'function.zip'),
      await makeZip({ bootstrap: exe(TUTORIAL_BOOTSTRAP), 'function.sh': exe(TUTORIAL_FUNCTION) }),
    );
    const created = await cli([
      'lambda',
      'create-function',
      '--function-name',
      'bash-runtime',
      '--zip-file',
      `fileb://${join(work, 'function.zip')}`,
      '--handler',
      'function.handler',
      '--runtime',
      'provided.al2023',
      '--role',
      TEST_ROLE,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const out = join(work, 'response.txt');
    const invoked = await cli([
      'lambda',
      'invoke',
      '--function-name',
      'bash-runtime',
      '--payload',
      '{"text":"Hello"}',
      out,
      '--cli-binary-format',
      'raw-in-base64-out',
      '--log-type',
      'Tail',
    ]);
    expect(invoked.code, invoked.stderr).toBe(0);
    const meta = JSON.parse(invoked.stdout) as {
      StatusCode: number;
      ExecutedVersion: string;
      LogResult: string;
    };
    expect(meta).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(readFileSync(out, 'utf8')).toBe(`Echoing request: '{"text":"Hello"}'`);
    // The handler logs the event to stderr; it lands in the invocation's log.
    expect(Buffer.from(meta.LogResult, 'base64').toString()).toContain('{"text":"Hello"}');
  });

  it("moves the tutorial's bootstrap into a layer (/opt/bootstrap), as the tutorial does next", async () => {
    if (!cli || !curl) return;
    writeFileSync(join(work, 'runtime.zip'), await makeZip({ bootstrap: exe(TUTORIAL_BOOTSTRAP) }));
    const layer = await cli([
      'lambda',
      'publish-layer-version',
      '--layer-name',
      'bash-runtime',
      '--zip-file',
      `fileb://${join(work, 'runtime.zip')}`,
    ]);
    expect(layer.code, layer.stderr).toBe(0);
    const arn = (JSON.parse(layer.stdout) as { LayerVersionArn: string }).LayerVersionArn;
    expect(arn).toBe('arn:aws:lambda:us-east-1:000000000000:layer:bash-runtime:1');
    const conf = await cli([
      'lambda',
      'update-function-configuration',
      '--function-name',
      'bash-runtime',
      '--layers',
      arn,
    ]);
    expect(conf.code, conf.stderr).toBe(0);
    writeFileSync(join(work, 'function-only.zip'), await makeZip({ 'function.sh': exe(TUTORIAL_FUNCTION) }));
    const code = await cli([
      'lambda',
      'update-function-code',
      '--function-name',
      'bash-runtime',
      '--zip-file',
      `fileb://${join(work, 'function-only.zip')}`,
    ]);
    expect(code.code, code.stderr).toBe(0);
    const out = await s.lambda.send(
      new InvokeCommand({ FunctionName: 'bash-runtime', Payload: '{"text":"layer"}' }),
    );
    expect(decode(out.Payload)).toBe(`Echoing request: '{"text":"layer"}'`);
  });

  it('prefers the bootstrap of the code over the one of a layer', async () => {
    const layer = await s.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'other-runtime',
        Content: { ZipFile: await makeZip({ bootstrap: exe('#!/bin/sh\nexit 3\n') }) },
      }),
    );
    await createFunction(
      s.lambda,
      'own-bootstrap',
      { bootstrap: exe(nodeBootstrap('"own"')) },
      { Runtime: 'provided.al2', Handler: 'x.y', Layers: [layer.LayerVersionArn!] },
    );
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'own-bootstrap' }));
    expect(decodeJson(out.Payload)).toBe('own');
  });

  it('answers Runtime.InvalidEntrypoint when there is no bootstrap', async () => {
    await createFunction(
      s.lambda,
      'no-bootstrap',
      { 'main.sh': 'echo hi' },
      { Runtime: 'provided.al2023', Handler: 'main.handler' },
    );
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'no-bootstrap' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(decodeJson(out.Payload)).toMatchObject({
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: expect.stringMatching(
        /^Couldn't find valid bootstrap\(s\): \[\S+\/bootstrap \S+\/bootstrap\]$/,
      ),
    });
  });

  it('answers Runtime.InvalidEntrypoint when bootstrap is not executable', async () => {
    await createFunction(
      s.lambda,
      'plain-bootstrap',
      { bootstrap: '#!/bin/sh\necho hi\n' },
      { Runtime: 'provided.al2023', Handler: 'x.y' },
    );
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'plain-bootstrap' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(decodeJson(out.Payload)).toMatchObject({
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: expect.stringMatching(/^fork\/exec \S+\/bootstrap: permission denied$/),
    });
    // Fixing the package makes it work: the error came from the package, not from Nimbus.
    await s.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'plain-bootstrap', Description: 'x' }),
    );
  });
});

/** A bootstrap that is a Node script serving one fixed answer through the Runtime API. */
function nodeBootstrap(answer: string): string {
  return `#!${process.execPath}
const http = require('node:http');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const get = () => http.get('http://' + api + '/2018-06-01/runtime/invocation/next', (res) => {
  res.resume();
  const id = res.headers['lambda-runtime-aws-request-id'];
  const req = http.request('http://' + api + '/2018-06-01/runtime/invocation/' + id + '/response', { method: 'POST' }, (r) => { r.resume(); r.on('end', get); });
  req.end(JSON.stringify(${answer}));
});
get();
`;
}
