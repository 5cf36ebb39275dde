import { InvokeCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectHostTools } from '../../../src/main/host-tools.js';
import { createFunction, decodeJson } from '../../support/functions.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { requireTool } from '../../support/system-tools.js';
import { makeZip } from '../../support/zip.js';

const python = requireTool('python3', detectHostTools().python?.executable, 'apt-get install -y python3');
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const py = (name: string, files: Record<string, string>, extra: Record<string, unknown> = {}) =>
  createFunction(s.lambda, name, files, {
    Runtime: 'python3.12',
    Handler: 'lambda_function.lambda_handler',
    ...extra,
  });

async function invoke(name: string, payload: unknown = {}) {
  const out = await s.lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload), LogType: 'Tail' }),
  );
  return {
    error: out.FunctionError,
    body: decodeJson(out.Payload) as Record<string, unknown>,
    log: Buffer.from(out.LogResult ?? '', 'base64').toString(),
  };
}

describe.skipIf(!python)('python3.x through Nimbus’s Python runtime client', () => {
  it('calls module.function with the event and a full context', async () => {
    await py('py-hello', {
      'lambda_function.py': `import os
def lambda_handler(event, context):
    return {
        "hello": event["name"],
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "version": context.function_version,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "logGroup": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "taskRoot": os.environ["LAMBDA_TASK_ROOT"] == os.getcwd(),
        "env": os.environ["AWS_EXECUTION_ENV"],
    }
`,
    });
    const r = await invoke('py-hello', { name: 'python' });
    expect(r.error).toBeUndefined();
    expect(r.body).toMatchObject({
      hello: 'python',
      functionName: 'py-hello',
      version: '$LATEST',
      memory: '128',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:py-hello',
      logGroup: '/aws/lambda/py-hello',
      taskRoot: true,
      env: 'AWS_Lambda_python3.12',
    });
    expect(r.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.remaining).toBeGreaterThan(2000);
    expect(r.body.remaining).toBeLessThanOrEqual(3000);
  });

  it('logs print() lines and logging records in AWS’s format', async () => {
    await py('py-log', {
      'lambda_function.py': `import logging
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def lambda_handler(event, context):
    print("plain print")
    logger.info("info %s", "line")
    logger.debug("hidden")
    logger.warning("two\\nlines")
    return None
`,
    });
    const r = await invoke('py-log');
    expect(r.body).toBeNull();
    const id = /START RequestId: (\S+)/.exec(r.log)?.[1];
    expect(r.log).toContain('plain print\n');
    expect(r.log).toMatch(
      new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${id}\\tinfo line\\n`),
    );
    expect(r.log).not.toContain('hidden');
    expect(r.log).toContain(`[WARNING]`);
    expect(r.log).toContain('two\rlines');
  });

  it('returns a raised exception in AWS’s shape and logs it', async () => {
    await py('py-err', {
      'lambda_function.py': `class PaymentError(Exception):
    pass
def lambda_handler(event, context):
    raise PaymentError("card declined")
`,
    });
    const r = await invoke('py-err');
    expect(r.error).toBe('Unhandled');
    expect(r.body).toMatchObject({ errorMessage: 'card declined', errorType: 'PaymentError' });
    expect(r.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const trace = r.body.stackTrace as string[];
    expect(trace.at(-1)).toMatch(
      /^ {2}File ".*lambda_function\.py", line 4, in lambda_handler\n {4}raise PaymentError\("card declined"\)\n$/,
    );
    expect(r.log).toContain('[ERROR] PaymentError: card declined\rTraceback (most recent call last):\r');
  });

  it('reports import errors, missing handlers and bad handler names as Runtime.* errors', async () => {
    await py('py-import', { 'lambda_function.py': 'import not_installed_anywhere\n' });
    expect((await invoke('py-import')).body).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Unable to import module 'lambda_function': No module named 'not_installed_anywhere'",
    });
    await py('py-missing', { 'lambda_function.py': 'def other(e, c):\n    return 1\n' });
    expect((await invoke('py-missing')).body).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: "Handler 'lambda_handler' missing on module 'lambda_function'",
    });
    await py('py-nofile', { 'other.py': 'x = 1\n' });
    expect((await invoke('py-nofile')).body).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
    await py('py-syntax', { 'lambda_function.py': 'def lambda_handler(e, c)\n    return 1\n' });
    expect((await invoke('py-syntax')).body).toMatchObject({ errorType: 'Runtime.UserCodeSyntaxError' });
    await py('py-badname', { 'lambda_function.py': 'x = 1\n' }, { Handler: 'nodot' });
    expect((await invoke('py-badname')).body).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
  });

  it('loads a dependency shipped inside the zip and one from a layer (/opt/python)', async () => {
    await py('py-vendored', {
      'lambda_function.py': 'import tinydep\ndef lambda_handler(e, c):\n    return tinydep.shout("zip")\n',
      'tinydep/__init__.py': 'def shout(s):\n    return s.upper() + "!"\n',
      'tinydep-1.0.dist-info/METADATA': 'Name: tinydep\nVersion: 1.0\n',
      'requirements.txt': 'tinydep==1.0\n',
    });
    // The zip already holds the installed distribution: nothing is installed at deploy.
    expect((await invoke('py-vendored')).body).toBe('ZIP!');

    const layer = await s.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'py-deps',
        CompatibleRuntimes: ['python3.12'],
        Content: {
          ZipFile: await makeZip({ 'python/layerdep.py': 'def hello():\n    return "from /opt/python"\n' }),
        },
      }),
    );
    await py(
      'py-layer',
      { 'lambda_function.py': 'import layerdep\ndef lambda_handler(e, c):\n    return layerdep.hello()\n' },
      { Layers: [layer.LayerVersionArn!] },
    );
    expect((await invoke('py-layer')).body).toBe('from /opt/python');
  });
});
