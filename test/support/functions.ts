import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { TEST_ROLE } from './server.js';
import { makeZip } from './zip.js';

/** Creates a Node.js function from inline files (default handler `index.handler`). */
export async function createFunction(
  lambda: LambdaClient,
  name: string,
  files: Record<string, string | Buffer>,
  extra: Partial<CreateFunctionCommandInput> = {},
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: TEST_ROLE,
      Code: { ZipFile: await makeZip(files) },
      ...extra,
    }),
  );
}

export const decode = (payload: Uint8Array | undefined): string =>
  Buffer.from(payload ?? []).toString('utf8');
export const decodeJson = (payload: Uint8Array | undefined): unknown => JSON.parse(decode(payload));
