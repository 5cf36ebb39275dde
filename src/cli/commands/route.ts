import { type Command, Option } from 'commander';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { type Api, HttpApiClient, type Integration, type Route } from '../http-api-client.js';
import { type Column, renderTable } from '../output/table.js';

/** The HTTP API the `route` commands use unless `--api` names another; created on first use. */
export const DEFAULT_API_NAME = 'nimbus';

/**
 * `nimbus route add|list|delete`: HTTP API routes to functions, managed through the API Gateway v2
 * API like any other client would (an API named `nimbus` by default, with a `$default` stage).
 */
export function addRouteCommands(program: Command): void {
  const route = program.command('route').description('map HTTP routes (METHOD /path) to functions');

  const add = route
    .command('add')
    .description('route requests to a function, e.g. nimbus route add "GET /users/{id}" users')
    .argument(
      '<route-key>',
      '"METHOD /path" (ANY for every method, {name} and {proxy+} variables) or $default',
    )
    .argument('<function>', 'function name or ARN');
  withApiOptions(add);
  add.addOption(
    new Option('--payload-format <version>', 'event format the function receives')
      .choices(['2.0', '1.0'])
      .default('2.0'),
  );
  withJson(add);
  withEndpoint(add);
  add.action(
    async (
      routeKey: string,
      fn: string,
      opts: ApiOpts & { payloadFormat: string; json?: boolean },
      cmd: Command,
    ) => {
      const client = clientFor(cmd);
      const http = new HttpApiClient(client);
      const { Configuration } = await client.getFunction(fn);
      const api = await findApi(http, opts.api, true);
      const integration = await integrationFor(http, api, Configuration.FunctionArn, opts.payloadFormat);
      const created = await http.createRoute(
        api.apiId,
        routeKey,
        `integrations/${integration.integrationId}`,
      );
      if (opts.json) return printJson({ api, route: created, integration });
      out(
        `${created.routeKey} → ${Configuration.FunctionName} (payload ${integration.payloadFormatVersion})\n`,
      );
      out(`  ${exampleUrl(api, created.routeKey)}\n  ${prefixUrl(http.endpoint, api, created.routeKey)}\n`);
    },
  );

  const list = route.command('list').alias('ls').description('list the routes of an HTTP API');
  withApiOptions(list);
  withJson(list);
  withEndpoint(list);
  list.action(async (opts: ApiOpts & { json?: boolean }, cmd: Command) => {
    const http = new HttpApiClient(clientFor(cmd));
    const api = await findApi(http, opts.api, false);
    const routes = api ? await http.routes(api.apiId) : [];
    const integrations = api ? await http.integrations(api.apiId) : [];
    if (opts.json) return printJson({ api: api ?? null, routes, integrations });
    if (!api || routes.length === 0) {
      note(`No routes yet. Add one with \`nimbus route add "GET /hello" <function>\`.`);
      return;
    }
    const byTarget = new Map(integrations.map((i) => [`integrations/${i.integrationId}`, i]));
    const rows = routes
      .map((r) => ({ route: r, integration: r.target ? byTarget.get(r.target) : undefined }))
      .sort((a, b) => routeSort(a.route).localeCompare(routeSort(b.route)));
    out(renderTable(columns(api), rows));
  });

  const del = route
    .command('delete')
    .alias('rm')
    .description('delete a route (and its integration when no other route uses it)')
    .argument('<route-key>', 'the route key as listed, e.g. "GET /users/{id}"');
  withApiOptions(del);
  withEndpoint(del);
  del.action(async (routeKey: string, opts: ApiOpts, cmd: Command) => {
    const http = new HttpApiClient(clientFor(cmd));
    const api = await findApi(http, opts.api, false);
    const routes = api ? await http.routes(api.apiId) : [];
    const found = routes.find((r) => r.routeKey === routeKey);
    if (!api || !found) {
      throw new CliError(
        `no route "${routeKey}" in the HTTP API ${opts.api ?? DEFAULT_API_NAME}; see \`nimbus route list\`.`,
      );
    }
    await http.deleteRoute(api.apiId, found.routeId);
    if (found.target && !routes.some((r) => r !== found && r.target === found.target)) {
      await http.deleteIntegration(api.apiId, found.target.replace(/^integrations\//, ''));
    }
    out(`Deleted route ${routeKey}\n`);
  });
}

interface ApiOpts {
  api?: string;
}

function withApiOptions(cmd: Command): void {
  cmd.option('--api <name-or-id>', `the HTTP API (default: the one named "${DEFAULT_API_NAME}")`);
}

/** The API by id or name; with `create`, the API is made (with an auto-deployed `$default` stage). */
async function findApi(http: HttpApiClient, ref: string | undefined, create: true): Promise<Api>;
async function findApi(http: HttpApiClient, ref: string | undefined, create: false): Promise<Api | undefined>;
async function findApi(
  http: HttpApiClient,
  ref: string | undefined,
  create: boolean,
): Promise<Api | undefined> {
  const wanted = ref ?? DEFAULT_API_NAME;
  const apis = await http.apis();
  const matches = apis.filter((a) => a.apiId === wanted || a.name === wanted);
  if (matches.length > 1) {
    throw new CliError(
      `several HTTP APIs are named "${wanted}" (${matches.map((a) => a.apiId).join(', ')}); pass --api <id>.`,
    );
  }
  let api = matches[0];
  if (!api && create) api = await http.createApi(wanted);
  if (api && create && !(await http.stages(api.apiId)).includes('$default'))
    await http.createStage(api.apiId, '$default');
  return api;
}

/** An existing integration for the same function and payload format, or a new one. */
async function integrationFor(
  http: HttpApiClient,
  api: Api,
  functionArn: string,
  version: string,
): Promise<Integration> {
  const existing = (await http.integrations(api.apiId)).find(
    (i) => i.integrationUri === functionArn && i.payloadFormatVersion === version,
  );
  return existing ?? http.createIntegration(api.apiId, functionArn, version);
}

function columns(api: Api): Column<{ route: Route; integration?: Integration }>[] {
  return [
    { header: 'ROUTE', value: (r) => r.route.routeKey },
    { header: 'FUNCTION', value: (r) => r.integration?.integrationUri.split(':function:')[1] ?? '-' },
    { header: 'PAYLOAD', value: (r) => r.integration?.payloadFormatVersion ?? '-' },
    { header: 'URL', value: (r) => exampleUrl(api, r.route.routeKey) },
  ];
}

/** `$default` sorts last; the rest by path, then method. */
function routeSort(r: Route): string {
  if (r.routeKey === '$default') return '\uffff';
  const [method, path] = r.routeKey.split(' ');
  return `${path} ${method}`;
}

function pathOf(routeKey: string): string {
  return routeKey === '$default' ? '/' : (routeKey.split(' ')[1] ?? '/');
}

function exampleUrl(api: Api, routeKey: string): string {
  return `${api.apiEndpoint}${pathOf(routeKey)}`;
}

/** The same route under the server's own address, for clients that cannot resolve *.localhost. */
function prefixUrl(endpoint: string, api: Api, routeKey: string): string {
  return `${endpoint}/_aws/execute-api/${api.apiId}${pathOf(routeKey)}`;
}
