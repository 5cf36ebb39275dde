import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  type FunctionUrlAuthType,
  type InvokeMode,
  ListFunctionUrlConfigsCommand,
} from '@aws-sdk/client-lambda';
import { lambda } from '../api/client';
import type { CreatedTrigger, FunctionTarget, Settings, TriggerRow } from '../triggers';

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * `http://<id>.lambda-url.<region>.localhost:<port>/` is also served at `/_aws/lambda-url/<id>/` on
 * the server's own address: the console calls that form (same origin, no CORS needed).
 */
export function urlCallPath(functionUrl: string): string | undefined {
  const id = /^https?:\/\/([a-z0-9]+)\.lambda-url\./.exec(functionUrl)?.[1];
  return id ? `/_aws/lambda-url/${id}/` : undefined;
}

export async function createUrl(fn: FunctionTarget, s: Settings): Promise<CreatedTrigger> {
  const out = await lambda().send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: fn.name,
      AuthType: (s.authType || 'NONE') as FunctionUrlAuthType,
      InvokeMode: (s.invokeMode || 'BUFFERED') as InvokeMode,
      ...(s.cors === 'true'
        ? { Cors: { AllowOrigins: list(s.allowOrigins), AllowMethods: list(s.allowMethods) } }
        : {}),
    }),
  );
  const url = out.FunctionUrl ?? '';
  const callPath = urlCallPath(url);
  return { message: `Function URL ${url} (${out.AuthType})`, url, ...(callPath ? { callPath } : {}) };
}

export async function listUrls(fn: FunctionTarget): Promise<TriggerRow[]> {
  const rows: TriggerRow[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda().send(
      new ListFunctionUrlConfigsCommand({ FunctionName: fn.name, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const c of page.FunctionUrlConfigs ?? []) {
      const url = c.FunctionUrl ?? '';
      const callPath = urlCallPath(url);
      const qualifier = /:function:[^:]+:([^:]+)$/.exec(c.FunctionArn ?? '')?.[1];
      rows.push({
        kind: 'Function URL',
        id: qualifier ? `url:${qualifier}` : 'url',
        source: url,
        details: [
          `AuthType ${c.AuthType}`,
          `InvokeMode ${c.InvokeMode ?? 'BUFFERED'}`,
          ...(qualifier ? [`qualifier ${qualifier}`] : []),
          ...(c.Cors ? [`CORS ${(c.Cors.AllowOrigins ?? []).join(',') || 'configured'}`] : []),
        ].join(' · '),
        state: 'Enabled',
        url,
        ...(callPath ? { callPath } : {}),
        remove: async () => {
          await lambda().send(
            new DeleteFunctionUrlConfigCommand({
              FunctionName: fn.name,
              ...(qualifier ? { Qualifier: qualifier } : {}),
            }),
          );
        },
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return rows;
}
