import { LATEST } from '../domain/arn.js';
import { conflict, invalidParameter } from '../domain/errors.js';
import type { Alias, FunctionRecord } from '../domain/function.js';
import { isVersionNumber } from '../registry/version-rules.js';

/**
 * AWS's rules for provisioned concurrency on versions and aliases, as pure functions of a
 * function's record and its configurations (AWS provisioned-concurrency docs: "Each version of a
 * function can only have one provisioned concurrency configuration. This can be directly on the
 * version itself, or on an alias that points to the version. Two aliases can't allocate
 * provisioned concurrency for the same version."). Messages are AWS's, as LocalStack's
 * AWS-validated snapshots record them.
 */

/** One stored configuration. */
export interface ProvisionedEntry {
  requested: number;
  lastModified: number;
}

/** A function's configurations by qualifier (a version number or an alias name). */
export type ProvisionedConfigs = ReadonlyMap<string, ProvisionedEntry>;

/** How many initialised sandboxes one version keeps for one configuration. */
export interface VersionShare {
  version: string;
  count: number;
}

export const UNPUBLISHED_MESSAGE =
  'Provisioned Concurrency Configs cannot be applied to unpublished function versions.';
export const NOT_PUBLISHED_QUALIFIER_MESSAGE =
  'The function resource provided must be an alias or a published version.';

const weighted = (a: Alias) => Object.keys(a.additionalVersionWeights).length > 0;

/** The versions an alias runs: its primary version and the one with a weight, if any. */
function served(alias: Alias): string[] {
  return [alias.functionVersion, ...Object.keys(alias.additionalVersionWeights)];
}

/** Whether the qualifier still names a published version or an alias of the function. */
export function qualifierExists(record: FunctionRecord, qualifier: string): boolean {
  return isVersionNumber(qualifier)
    ? record.versions.some((v) => v.version === qualifier)
    : record.aliases.some((a) => a.name === qualifier);
}

/**
 * The versions a configuration keeps warm. An alias's goes to the version it points to; while it
 * routes between two versions (a weighted alias, e.g. a canary deployment), it is split between
 * them by weight, at least one sandbox each, so invocations routed to either start warm.
 */
export function sharesOf(record: FunctionRecord, qualifier: string, requested: number): VersionShare[] {
  if (isVersionNumber(qualifier)) {
    return qualifierExists(record, qualifier) ? [{ version: qualifier, count: requested }] : [];
  }
  const alias = record.aliases.find((a) => a.name === qualifier);
  if (!alias || alias.functionVersion === LATEST) return [];
  const extra = Object.entries(alias.additionalVersionWeights);
  if (extra.length === 0) return [{ version: alias.functionVersion, count: requested }];
  const rest = 1 - extra.reduce((sum, [, w]) => sum + w, 0);
  return [
    { version: alias.functionVersion, count: Math.max(1, Math.round(requested * rest)) },
    ...extra.map(([version, w]) => ({ version, count: Math.max(1, Math.round(requested * w)) })),
  ];
}

/** Initialised sandboxes wanted per version, over all of a function's configurations. */
export function versionTargets(record: FunctionRecord, configs: ProvisionedConfigs): Map<string, number> {
  const out = new Map<string, number>();
  for (const [qualifier, c] of configs) {
    for (const s of sharesOf(record, qualifier, c.requested)) {
      out.set(s.version, (out.get(s.version) ?? 0) + s.count);
    }
  }
  return out;
}

const alreadyProvisioned = () =>
  conflict("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");

/** Refuses an alias (as it is or would be) whose versions already have provisioned concurrency. */
function checkAliasVersions(record: FunctionRecord, configs: ProvisionedConfigs, alias: Alias): void {
  if (alias.functionVersion === LATEST) throw invalidParameter(UNPUBLISHED_MESSAGE);
  for (const version of served(alias)) {
    if (configs.has(version)) throw alreadyProvisioned();
    const other = record.aliases.find(
      (b) => b.name !== alias.name && configs.has(b.name) && served(b).includes(version),
    );
    if (other) throw alreadyProvisioned();
  }
}

/** PutProvisionedConcurrencyConfig's checks against the function's other configurations. */
export function checkPut(record: FunctionRecord, configs: ProvisionedConfigs, qualifier: string): void {
  if (isVersionNumber(qualifier)) {
    const pointing = record.aliases.some((a) => configs.has(a.name) && served(a).includes(qualifier));
    if (pointing) throw conflict('Version is pointed by a Provisioned Concurrency alias');
    return;
  }
  const alias = record.aliases.find((a) => a.name === qualifier);
  if (!alias) return;
  // "You can't manage provisioned concurrency settings on the alias while the routing
  // configuration is in place" (AWS provisioned-concurrency docs).
  if (weighted(alias))
    throw invalidParameter('Alias with weights can not be used with Provisioned Concurrency');
  checkAliasVersions(record, configs, alias);
}

/**
 * CreateAlias/UpdateAlias of an alias with provisioned concurrency: it may move to another
 * version or route between two, but not onto `$LATEST` nor onto versions provisioned otherwise.
 */
export function checkAliasChange(record: FunctionRecord, configs: ProvisionedConfigs, next: Alias): void {
  if (!configs.has(next.name)) return;
  checkAliasVersions(record, configs, next);
}
