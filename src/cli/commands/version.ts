import type { Command } from 'commander';
import type { AliasConfiguration, FunctionVersion } from '../api-types.js';
import { clientFor, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { formatBytes } from '../output/format.js';
import { type Column, renderFields, renderTable } from '../output/table.js';
import { lastModified } from './function-list.js';

const VERSION_COLUMNS: Column<FunctionVersion>[] = [
  { header: 'VERSION', value: (v) => v.Version },
  { header: 'CODE SHA256', value: (v) => v.CodeSha256 },
  { header: 'CODE SIZE', value: (v) => formatBytes(v.CodeSize), align: 'right' },
  { header: 'DESCRIPTION', value: (v) => v.Description ?? '' },
  { header: 'LAST MODIFIED', value: (v) => lastModified(v.LastModified) },
];

const ALIAS_COLUMNS: Column<AliasConfiguration>[] = [
  { header: 'ALIAS', value: (a) => a.Name },
  { header: 'VERSION', value: (a) => a.FunctionVersion },
  { header: 'ROUTING', value: routing },
  { header: 'DESCRIPTION', value: (a) => a.Description ?? '' },
];

/** `nimbus version publish|list`: immutable snapshots of a function's code and configuration. */
export function addVersionCommands(program: Command): void {
  const version = program.command('version').description('publish and list function versions');
  const publish = version
    .command('publish')
    .description('publish $LATEST as a new version (nothing new when nothing changed since the last one)')
    .argument('<function>', 'function name')
    .option('--description <text>', 'description of the version');
  withJson(publish);
  withEndpoint(publish);
  publish.action(async (fn: string, opts: { description?: string; json?: boolean }, command: Command) => {
    const v = await clientFor(command).publishVersion(fn, opts.description);
    if (opts.json) return printJson(v);
    out(
      `Version ${v.Version} of ${v.FunctionName}\n${renderFields([
        ['arn', v.FunctionArn],
        ['code sha256', v.CodeSha256],
      ])}`,
    );
  });
  const list = version
    .command('list')
    .alias('ls')
    .description('list the versions of a function')
    .argument('<function>', 'function name');
  withJson(list);
  withEndpoint(list);
  list.action(async (fn: string, opts: { json?: boolean }, command: Command) => {
    const versions = await clientFor(command).listVersions(fn);
    if (opts.json) return printJson({ Versions: versions });
    out(renderTable(VERSION_COLUMNS, versions));
  });
}

/** `nimbus alias set|list`: names that point at a version, optionally shifting traffic to a second one. */
export function addAliasCommands(program: Command): void {
  const alias = program
    .command('alias')
    .description('point aliases at versions and shift traffic between two');
  const set = alias
    .command('set')
    .description('create or update an alias')
    .argument('<function>', 'function name')
    .argument('<alias>', 'alias name')
    .argument('<version>', 'the version it points to')
    .option('--weight <VERSION=WEIGHT>', 'send this share (0-1) of the traffic to another published version')
    .option('--description <text>', 'description of the alias');
  withJson(set);
  withEndpoint(set);
  set.action(
    async (
      fn: string,
      name: string,
      target: string,
      opts: { weight?: string; description?: string; json?: boolean },
      command: Command,
    ) => {
      const weights: Record<string, number> = {};
      if (opts.weight !== undefined) {
        const m = /^([0-9]+)=([0-9]*\.?[0-9]+)$/.exec(opts.weight);
        if (!m)
          throw new CliError(`invalid --weight "${opts.weight}": expected VERSION=WEIGHT such as 2=0.1.`);
        weights[m[1]!] = Number(m[2]);
      }
      const a = await clientFor(command).putAlias(fn, name, {
        FunctionVersion: target,
        ...(opts.description === undefined ? {} : { Description: opts.description }),
        RoutingConfig: { AdditionalVersionWeights: weights },
      });
      if (opts.json) return printJson(a);
      out(`Alias ${a.Name} of ${fn} -> ${routingSentence(a)}\n${renderFields([['arn', a.AliasArn]])}`);
    },
  );
  const list = alias
    .command('list')
    .alias('ls')
    .description('list the aliases of a function')
    .argument('<function>', 'function name');
  withJson(list);
  withEndpoint(list);
  list.action(async (fn: string, opts: { json?: boolean }, command: Command) => {
    const aliases = await clientFor(command).listAliases(fn);
    if (opts.json) return printJson({ Aliases: aliases });
    out(renderTable(ALIAS_COLUMNS, aliases));
  });
}

function routing(a: AliasConfiguration): string {
  const w = Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {});
  return w.length === 0 ? '-' : w.map(([v, x]) => `${v}: ${Math.round(x * 1000) / 10}%`).join(', ');
}

function routingSentence(a: AliasConfiguration): string {
  const w = Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (w.length === 0) return `version ${a.FunctionVersion}`;
  const [v, x] = w[0]!;
  return `version ${a.FunctionVersion} (${Math.round((1 - x) * 1000) / 10}%) and version ${v} (${Math.round(x * 1000) / 10}%)`;
}
