import { randomUUID } from 'node:crypto';
import { LATEST } from '../domain/arn.js';
import { invalidParameter, LambdaError, notFound } from '../domain/errors.js';
import type { Alias, FunctionRecord, FunctionVersion } from '../domain/function.js';

/**
 * The rules of versions and aliases that are pure functions of a function's record: what counts
 * as a change worth a new version, which versions an alias may point to, and weighted routing.
 */

/** Members of a version that make it different; timestamps, revision and state do not. */
function essence(v: FunctionVersion): string {
  return JSON.stringify([
    v.code.sha256,
    v.code.imageKey,
    v.runtime,
    v.handler,
    v.role,
    v.timeout,
    v.memorySize,
    Object.entries(v.environment).sort(([a], [b]) => (a < b ? -1 : 1)),
    v.architectures,
    v.ephemeralStorageMb,
    v.tracingMode,
    v.loggingConfig,
    v.deadLetterTargetArn ?? null,
    v.layers.map((l) => l.arn),
  ]);
}

/** PublishVersion publishes nothing when `$LATEST` equals the last published version. */
export function unchangedSince(latest: FunctionVersion, published: FunctionVersion | undefined): boolean {
  return published !== undefined && essence(latest) === essence(published);
}

/** An immutable snapshot of `$LATEST` as version `number`. */
export function snapshot(
  latest: FunctionVersion,
  number: number,
  description: string | undefined,
  now: number,
) {
  const { pendingCode: _ignored, ...rest } = latest;
  const v: FunctionVersion = {
    ...rest,
    version: String(number),
    description: description ?? latest.description,
    state: 'Active',
    lastUpdateStatus: 'Successful',
    revisionId: randomUUID(),
    lastModified: now,
  };
  delete v.stateReason;
  delete v.stateReasonCode;
  delete v.lastUpdateStatusReason;
  delete v.lastUpdateStatusReasonCode;
  return v;
}

export const isVersionNumber = (q: string) => /^[0-9]+$/.test(q);

export function findVersion(record: FunctionRecord, version: string): FunctionVersion | undefined {
  if (version === LATEST) return record.latest;
  return record.versions.find((v) => v.version === version);
}

/**
 * Checks where an alias may point: an existing version (or `$LATEST` without routing), and at most
 * one other published version with a weight (range checked by the API layer).
 */
export function checkAliasTarget(
  record: FunctionRecord,
  functionVersion: string,
  weights: Record<string, number>,
  arn: (qualifier: string) => string,
): void {
  if (!findVersion(record, functionVersion)) throw notFound(`Function not found: ${arn(functionVersion)}`);
  const extra = Object.keys(weights);
  if (extra.length === 0) return;
  if (functionVersion === LATEST) {
    throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
  }
  if (extra.length > 1) {
    throw invalidParameter(
      `Number of items in AdditionalVersionWeights cannot be greater than 1, but received ${extra.length}.`,
    );
  }
  const other = extra[0]!;
  if (other === functionVersion) {
    throw invalidParameter(
      `Invalid function version ${other}. Function version ${other} is already included in routing configuration.`,
    );
  }
  if (!record.versions.some((v) => v.version === other)) throw notFound(`Function not found: ${arn(other)}`);
}

/** The version an invocation through an alias runs: the additional one with its weight's probability. */
export function pickVersion(alias: Alias, random: () => number): string {
  for (const [version, weight] of Object.entries(alias.additionalVersionWeights)) {
    if (random() < weight) return version;
  }
  return alias.functionVersion;
}

export function newAliasRevision(): string {
  return randomUUID();
}

export const revisionMismatch = () =>
  new LambdaError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );

/** Aliases that keep a version alive (as primary or additional version). */
export function aliasesReferencing(record: FunctionRecord, version: string): string[] {
  return record.aliases
    .filter((a) => a.functionVersion === version || version in a.additionalVersionWeights)
    .map((a) => a.name);
}
