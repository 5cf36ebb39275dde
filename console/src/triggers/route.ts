import {
  type Api,
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteRouteCommand,
  GetApisCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStagesCommand,
  type Integration,
} from '@aws-sdk/client-apigatewayv2';
import { awsConfig } from '../api/client';
import type { CreatedTrigger, FunctionTarget, Option, Settings, TriggerRow } from '../triggers';

const client = () => new ApiGatewayV2Client(awsConfig());

/** A path that the route matches, for a link: parameters by their names, `{proxy+}` as `hello`. */
export function samplePath(routeKey: string): string {
  const path = routeKey.includes(' ') ? routeKey.slice(routeKey.indexOf(' ') + 1) : '/';
  return path.replace(/\{[^}]+\+\}/g, 'hello').replace(/\{([^}]+)\}/g, '$1');
}

/** The integration's target is this function (its ARN, or API Gateway's `.../functions/<arn>/invocations`). */
const targets = (i: Integration, fn: FunctionTarget) =>
  new RegExp(`:function:${fn.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[:/])`).test(
    i.IntegrationUri ?? '',
  );

async function allApis(c: ApiGatewayV2Client): Promise<Api[]> {
  const apis: Api[] = [];
  let token: string | undefined;
  do {
    const page = await c.send(new GetApisCommand({ ...(token ? { NextToken: token } : {}) }));
    apis.push(...(page.Items ?? []));
    token = page.NextToken;
  } while (token);
  return apis;
}

/** Where the API serves: `$default` at the root, otherwise the first stage's name first. */
async function stagePrefix(c: ApiGatewayV2Client, apiId: string): Promise<string> {
  const stages = (await c.send(new GetStagesCommand({ ApiId: apiId }))).Items ?? [];
  if (stages.length === 0 || stages.some((s) => s.StageName === '$default')) return '';
  return `/${stages[0]!.StageName}`;
}

const links = (api: Pick<Api, 'ApiEndpoint' | 'ApiId'>, prefix: string, routeKey: string) => {
  const path = `${prefix}${samplePath(routeKey)}`;
  return { url: `${api.ApiEndpoint ?? ''}${path}`, callPath: `/_aws/execute-api/${api.ApiId}${path}` };
};

export async function apiOptions(): Promise<Option[]> {
  const c = client();
  try {
    return [
      { value: '', label: 'A new HTTP API (quick create)' },
      ...(await allApis(c)).map((a) => ({ value: a.ApiId ?? '', label: `${a.Name} (${a.ApiId})` })),
    ];
  } finally {
    c.destroy();
  }
}

export async function createRoute(fn: FunctionTarget, s: Settings): Promise<CreatedTrigger> {
  const c = client();
  try {
    const routeKey = (s.routeKey ?? '').trim();
    const format = s.payloadFormatVersion || '2.0';
    let apiId = s.apiId ?? '';
    if (!apiId && format === '2.0') {
      // Quick create: the API, a $default stage that deploys itself, the integration and the route.
      const api = await c.send(
        new CreateApiCommand({
          Name: s.apiName?.trim() || fn.name,
          ProtocolType: 'HTTP',
          Target: fn.arn,
          RouteKey: routeKey,
        }),
      );
      const l = links(api, '', routeKey);
      return { message: `Route ${routeKey} of new HTTP API ${api.Name} (${api.ApiId})`, ...l };
    }
    if (!apiId) {
      const api = await c.send(
        new CreateApiCommand({ Name: s.apiName?.trim() || fn.name, ProtocolType: 'HTTP' }),
      );
      apiId = api.ApiId ?? '';
      await c.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    }
    const existing = (await c.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
    let integration = existing.find(
      (i) =>
        i.IntegrationType === 'AWS_PROXY' && targets(i, fn) && (i.PayloadFormatVersion ?? '2.0') === format,
    );
    integration ??= await c.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: fn.arn,
        PayloadFormatVersion: format,
      }),
    );
    await c.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: routeKey,
        Target: `integrations/${integration.IntegrationId}`,
      }),
    );
    const api = (await allApis(c)).find((a) => a.ApiId === apiId);
    const l = api ? links(api, await stagePrefix(c, apiId), routeKey) : {};
    return { message: `Route ${routeKey} of HTTP API ${api?.Name ?? apiId} (${apiId})`, ...l };
  } finally {
    c.destroy();
  }
}

export async function listRoutes(fn: FunctionTarget): Promise<TriggerRow[]> {
  const c = client();
  try {
    const rows: TriggerRow[] = [];
    for (const api of await allApis(c)) {
      const apiId = api.ApiId ?? '';
      const mine = ((await c.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? []).filter((i) =>
        targets(i, fn),
      );
      if (mine.length === 0) continue;
      const byTarget = new Map(mine.map((i) => [`integrations/${i.IntegrationId}`, i]));
      const routes = ((await c.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? []).filter((r) =>
        byTarget.has(r.Target ?? ''),
      );
      if (routes.length === 0) continue;
      const prefix = await stagePrefix(c, apiId);
      for (const r of routes) {
        const integration = byTarget.get(r.Target ?? '')!;
        rows.push({
          kind: 'HTTP API route',
          id: `${apiId}/${r.RouteId}`,
          source: `${r.RouteKey} on ${api.Name} (${apiId})`,
          details: `payload ${integration.PayloadFormatVersion ?? '2.0'} · ${api.ApiEndpoint}`,
          state: 'Enabled',
          ...links(api, prefix, r.RouteKey ?? ''),
          remove: async () => {
            const d = client();
            try {
              await d.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: r.RouteId }));
            } finally {
              d.destroy();
            }
          },
        });
      }
    }
    return rows;
  } finally {
    c.destroy();
  }
}
