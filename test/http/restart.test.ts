import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { startTestServer, TEST_CREDENTIALS } from '../support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-http-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps function URLs and HTTP APIs across a restart', async () => {
  const first = await startTestServer({}, { dataDir });
  await createFunction(first.lambda, 'kept', {
    'index.js': 'exports.handler = async (e) => ({ path: e.rawPath });',
  });
  const url = await first.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: 'kept', AuthType: 'NONE' }),
  );
  const apigw = new ApiGatewayV2Client({
    endpoint: first.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  const api = await apigw.send(
    new CreateApiCommand({
      Name: 'kept',
      ProtocolType: 'HTTP',
      Target: 'arn:aws:lambda:us-east-1:000000000000:function:kept',
    }),
  );
  apigw.destroy();
  const urlId = new URL(url.FunctionUrl!).hostname.split('.')[0];
  await first.close();

  const second = await startTestServer({}, { dataDir });
  try {
    const viaUrl = await httpRequest(`${second.url}/_aws/lambda-url/${urlId}/a`);
    expect(JSON.parse(viaUrl.text)).toEqual({ path: '/a' });
    const viaRoute = await httpRequest(`${second.url}/_aws/execute-api/${api.ApiId}/b`);
    expect(JSON.parse(viaRoute.text)).toEqual({ path: '/b' });
  } finally {
    await second.close();
  }
});
