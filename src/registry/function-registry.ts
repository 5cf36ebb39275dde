import { randomUUID } from 'node:crypto';
import type { BuildPlan, CodeBuilder } from '../artifacts/build/code-builder.js';
import { BuildFailure } from '../artifacts/build/code-builder.js';
import type { CodeStore } from '../artifacts/code-store.js';
import { type AccountScope, type FunctionRef, functionArn, LATEST } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import { checkEnvironment } from '../domain/environment.js';
import { conflict, invalidParameter, LambdaError, notFound } from '../domain/errors.js';
import {
  type Alias,
  type Architecture,
  type CodeRef,
  defaultLogGroup,
  type FunctionConfigPatch,
  type FunctionRecord,
  type FunctionVersion,
  type LayerRef,
  type LoggingConfig,
} from '../domain/function.js';
import {
  EPHEMERAL_STORAGE_DEFAULT_MB,
  MEMORY_DEFAULT_MB,
  TIMEOUT_DEFAULT_SECONDS,
  TOTAL_CODE_SIZE_MAX_BYTES,
  UNZIPPED_MAX_BYTES,
} from '../domain/limits.js';
import {
  isDeprecatedRuntime,
  isSupportedRuntime,
  runtimeFamily,
  SUPPORTED_RUNTIMES,
} from '../domain/runtimes.js';
import type { LogSink } from '../sandbox/log-sink.js';
import type { CodeReferences, FunctionStore } from '../store/ports.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { LayerRegistry, ResolvedLayers } from './layer-registry.js';
import {
  aliasesReferencing,
  checkAliasTarget,
  findVersion,
  isVersionNumber,
  newAliasRevision,
  pickVersion,
  revisionMismatch,
  snapshot,
  unchangedSince,
} from './version-rules.js';

export interface CreateFunctionInput {
  name: string;
  runtime: string;
  handler: string;
  role: string;
  zip: Buffer;
  description?: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  architectures?: Architecture[];
  ephemeralStorageMb?: number;
  tracingMode?: 'Active' | 'PassThrough';
  loggingConfig?: Partial<LoggingConfig>;
  deadLetterTargetArn?: string;
  tags?: Record<string, string>;
  layers?: string[];
  /** Publish version 1 once the function is ready. */
  publish?: boolean;
}

/** A version resolved for running: what the invoke path needs, computed once per revision. */
export interface ResolvedFunction {
  version: FunctionVersion;
  /** `$LATEST` or the version number that runs. */
  executedVersion: string;
  /** The ARN as the caller addressed it (qualified when a qualifier was given). */
  invokedArn: string;
  codeDir: string;
  /** Host folder with the function's merged layers (`/opt`), when it has layers. */
  optDir?: string;
}

/** The owner of a resource policy (see {@link FunctionRegistry.policyTarget}). */
export interface PolicyTarget {
  /** `''` (the unqualified function), a version number or an alias name. */
  key: string;
  arn: string;
  revisionId: string;
}

export interface AliasInput {
  functionVersion: string;
  description?: string;
  /** `RoutingConfig.AdditionalVersionWeights`; `{}` removes routing. */
  weights?: Record<string, number>;
}

/**
 * `updated`/`deleted`: `$LATEST` or the whole function changed (pools must be retired);
 * `published`/`aliased`: a version or alias was added, changed or removed (running code is unchanged);
 * `deletedVersion`/`deletedAlias` name the one removed.
 */
export type FunctionChange = {
  kind: 'updated' | 'deleted' | 'published' | 'aliased';
  name: string;
  deletedVersion?: string;
  deletedAlias?: string;
};

/**
 * Asked before an alias is created or changed, with the function as it is and the alias as it
 * would be; throws to refuse (e.g. provisioned concurrency rules).
 */
export type AliasGuard = (record: FunctionRecord, next: Alias) => void;

export interface FunctionRegistryOptions {
  /** The build step (dependencies, TypeScript); without it zips run as uploaded. */
  builder?: CodeBuilder;
  layers?: LayerRegistry;
  /** Where build output goes (the function's log, one stream per build). */
  buildLog?: LogSink;
  /** Why a supported runtime cannot run on this host (e.g. no Python), or undefined when it can. */
  runtimeUnavailable?: (runtime: string) => string | undefined;
  /** Weighted alias routing draws from this; tests may pin it. */
  random?: () => number;
}

/** Build output is kept in the function's log under this request id (one log stream per build). */
export const BUILD_LOG_REQUEST_ID = 'nimbus-build';

const UPDATE_IN_PROGRESS = (arn: string) =>
  conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);

/**
 * The control plane for functions, their versions and aliases: validates semantics that the API's
 * shape checks cannot, stores code and configuration, runs the build step in the background, and
 * keeps an in-memory view of what the invoke path reads on every request. Mutations of one
 * function are serialised.
 */
export class FunctionRegistry {
  readonly #mutex = new KeyedMutex();
  readonly #cache = new Map<string, FunctionRecord>();
  readonly #listeners = new Set<(c: FunctionChange) => void>();
  readonly #aliasGuards = new Set<AliasGuard>();
  readonly #builds = new Set<Promise<void>>();
  readonly #random: () => number;
  #closed = false;

  constructor(
    private readonly store: FunctionStore,
    private readonly code: CodeStore,
    private readonly clock: Clock,
    readonly scope: AccountScope,
    private readonly o: FunctionRegistryOptions = {},
  ) {
    this.#random = o.random ?? Math.random;
  }

  onChange(listener: (c: FunctionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds a rule that alias changes must pass (checked under the function's lock). */
  guardAliases(guard: AliasGuard): () => void {
    this.#aliasGuards.add(guard);
    return () => this.#aliasGuards.delete(guard);
  }

  /**
   * Runs `task` under the function's lock, the one its mutations and alias guards run under: a
   * feature whose state alias guards check (provisioned concurrency) changes it here, so a check
   * and a change of either side never interleave. `task` must not call back into a mutation of
   * the same function (it would wait for itself).
   */
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T> {
    return this.#mutex.run(name, task);
  }

  arn(name: string, qualifier?: string): string {
    return functionArn(this.scope, name, qualifier);
  }

  // ---- functions ----------------------------------------------------------------------------

  async create(input: CreateFunctionInput): Promise<FunctionVersion> {
    this.#checkRuntime(input.runtime);
    if (input.environment) checkEnvironment(input.environment);
    let plan: BuildPlan | undefined;
    const created = await this.#mutex.run(input.name, async () => {
      if (await this.get(input.name)) throw conflict(`Function already exist: ${input.name}`);
      const architectures = input.architectures ?? ['x86_64'];
      const source = await this.code.ingestZip(input.zip);
      const layers = await this.#layers(input.layers ?? [], input.runtime, architectures[0]!, []);
      checkUnzippedSize(source.unzippedSize + layers.unzippedSize);
      await this.#checkCodeStorage(source.size);
      const prepared = await this.#prepare(source, input.runtime);
      plan = prepared.plan;
      const now = this.clock.now();
      const latest = firstVersion(input, architectures, prepared, layers, source, now);
      const record: FunctionRecord = {
        name: input.name,
        tags: input.tags ?? {},
        createdAt: now,
        latest,
        versions: [],
        aliases: [],
        nextVersion: 1,
      };
      if (!(await this.store.create(record))) throw conflict(`Function already exist: ${input.name}`);
      this.#cache.set(record.name, record);
      return latest;
    });
    if (plan) {
      this.#startBuild(input.name, plan, input.publish === true);
      return created;
    }
    if (input.publish) return this.publishVersion({ name: input.name }, {});
    return created;
  }

  async get(name: string): Promise<FunctionRecord | undefined> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const record = await this.store.get(name);
    if (record) this.#cache.set(name, record);
    return record;
  }

  /** The record, or ResourceNotFoundException worded as AWS words it. */
  async require(ref: FunctionRef): Promise<FunctionRecord> {
    const record = await this.get(ref.name);
    if (!record) throw notFound(`Function not found: ${this.arn(ref.name, ref.qualifier)}`);
    return record;
  }

  /**
   * The configuration a qualifier names: `$LATEST` (or none), a published version, or the primary
   * version of an alias (`alias` is then set).
   */
  async requireVersion(
    ref: FunctionRef,
  ): Promise<{ record: FunctionRecord; version: FunctionVersion; alias?: Alias }> {
    const record = await this.require(ref);
    const q = ref.qualifier;
    if (q === undefined || q === LATEST) return { record, version: record.latest };
    const missing = () => notFound(`Function not found: ${this.arn(ref.name, q)}`);
    if (isVersionNumber(q)) {
      const version = findVersion(record, q);
      if (!version) throw missing();
      return { record, version };
    }
    const alias = record.aliases.find((a) => a.name === q);
    const version = alias && findVersion(record, alias.functionVersion);
    if (!alias || !version) throw missing();
    return { record, version, alias };
  }

  async list(afterName: string | undefined, limit: number): Promise<FunctionRecord[]> {
    return this.store.list({ ...(afterName === undefined ? {} : { afterName }), limit });
  }

  async updateCode(
    ref: FunctionRef,
    zip: Buffer,
    options: { revisionId?: string; architectures?: Architecture[]; publish?: boolean } = {},
  ): Promise<FunctionVersion> {
    this.#noQualifier(ref);
    let plan: BuildPlan | undefined;
    const updated = await this.#mutate(ref.name, options.revisionId, async (latest) => {
      const source = await this.code.ingestZip(zip);
      checkUnzippedSize(source.unzippedSize + sumLayers(latest.layers));
      await this.#checkCodeStorage(source.size - latest.code.size);
      const prepared = await this.#prepare(source, latest.runtime);
      plan = prepared.plan;
      const arch = options.architectures ? { architectures: options.architectures } : {};
      if (prepared.pending) return { ...latest, ...arch, pendingCode: prepared.pending };
      return { ...latest, ...arch, code: prepared.ready! };
    });
    if (plan) {
      this.#startBuild(ref.name, plan, options.publish === true);
      return updated;
    }
    if (options.publish) return this.publishVersion({ name: ref.name }, {});
    return updated;
  }

  async updateConfiguration(ref: FunctionRef, patch: FunctionConfigPatch, revisionId?: string) {
    this.#noQualifier(ref);
    if (patch.runtime !== undefined) this.#checkRuntime(patch.runtime);
    if (patch.environment !== undefined) checkEnvironment(patch.environment);
    let plan: BuildPlan | undefined;
    const updated = await this.#mutate(ref.name, revisionId, async (latest) => {
      const { layers: layerArns, ...config } = patch;
      const next: FunctionVersion = { ...latest, ...stripUndefined(config) };
      if (patch.loggingConfig)
        next.loggingConfig = { ...latest.loggingConfig, ...stripUndefined(patch.loggingConfig) };
      // `DeadLetterConfig: {}` (an empty target) removes the dead-letter queue.
      if (next.deadLetterTargetArn === '') delete next.deadLetterTargetArn;
      if (layerArns !== undefined) {
        const layers = await this.#layers(layerArns, next.runtime, next.architectures[0]!, latest.layers);
        next.layers = layers.refs;
        if (layers.optImageKey) next.optImageKey = layers.optImageKey;
        else delete next.optImageKey;
        checkUnzippedSize(next.code.unzippedSize + layers.unzippedSize);
      }
      // Another runtime family may need another build of the same zip (or none).
      if (patch.runtime !== undefined && runtimeFamily(patch.runtime) !== runtimeFamily(latest.runtime)) {
        const source = await this.#sourceOf(latest.code);
        const prepared = await this.#prepare(source, next.runtime);
        plan = prepared.plan;
        if (prepared.pending) next.pendingCode = prepared.pending;
        else next.code = prepared.ready!;
      }
      return next;
    });
    if (plan) this.#startBuild(ref.name, plan, false);
    return updated;
  }

  /** DeleteFunction: the whole function, or with a version number as qualifier, that version only. */
  async delete(ref: FunctionRef): Promise<void> {
    const q = ref.qualifier;
    if (q === LATEST)
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (q !== undefined && !isVersionNumber(q))
      throw invalidParameter('Deletion of aliases is not supported.');
    await this.#mutex.run(ref.name, async () => {
      const record = await this.get(ref.name);
      if (!record) throw notFound(`Function not found: ${this.arn(ref.name, q)}`);
      if (q === undefined) {
        if (!(await this.store.delete(ref.name))) throw notFound(`Function not found: ${this.arn(ref.name)}`);
        this.#cache.delete(ref.name);
        return;
      }
      if (!record.versions.some((v) => v.version === q))
        throw notFound(`Function not found: ${this.arn(ref.name, q)}`);
      const users = aliasesReferencing(record, q);
      if (users.length > 0) {
        throw conflict(
          `Unable to delete version because the following aliases reference it: [${users.join(', ')}]`,
        );
      }
      await this.store.deleteVersion(ref.name, q);
      this.#cache.set(ref.name, { ...record, versions: record.versions.filter((v) => v.version !== q) });
    });
    this.#emit(
      q === undefined
        ? { kind: 'deleted', name: ref.name }
        : { kind: 'published', name: ref.name, deletedVersion: q },
    );
  }

  async setTags(name: string, tags: Record<string, string>): Promise<void> {
    await this.#mutex.run(name, async () => {
      const record = await this.get(name);
      if (!record) throw notFound(`Function not found: ${this.arn(name)}`);
      if (!(await this.store.setTags(name, tags))) throw notFound(`Function not found: ${this.arn(name)}`);
      this.#cache.set(name, { ...record, tags });
    });
  }

  // ---- versions -----------------------------------------------------------------------------

  /**
   * PublishVersion: snapshots `$LATEST` (configuration and code image) as the next version number.
   * Publishes nothing and returns the last version when nothing changed since it was published.
   */
  async publishVersion(
    ref: FunctionRef,
    o: { codeSha256?: string; description?: string; revisionId?: string },
  ): Promise<FunctionVersion> {
    if (ref.qualifier !== undefined) {
      throw invalidParameter(
        'Please do not provide a qualifier for this operation; only $LATEST can be published.',
      );
    }
    let published = false;
    const version = await this.#mutex.run(ref.name, async () => {
      const record = await this.require(ref);
      const latest = record.latest;
      if (latest.state !== 'Active' || latest.lastUpdateStatus === 'InProgress') {
        throw UPDATE_IN_PROGRESS(this.arn(ref.name));
      }
      if (o.codeSha256 && o.codeSha256 !== latest.code.sha256) {
        throw invalidParameter(
          `CodeSHA256 (${o.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
      if (o.revisionId !== undefined && o.revisionId !== latest.revisionId) throw revisionMismatch();
      const last = record.versions[record.versions.length - 1];
      if (last && unchangedSince(latest, last)) return last;
      const v = snapshot(latest, record.nextVersion, o.description, this.clock.now());
      if (!(await this.store.insertVersion(v, record.nextVersion + 1))) {
        throw UPDATE_IN_PROGRESS(this.arn(ref.name));
      }
      this.#cache.set(ref.name, {
        ...record,
        versions: [...record.versions, v],
        nextVersion: record.nextVersion + 1,
      });
      published = true;
      return v;
    });
    if (published) this.#emit({ kind: 'published', name: ref.name });
    return version;
  }

  /** `$LATEST` first, then published versions in order. */
  async listVersions(name: string): Promise<FunctionVersion[]> {
    const record = await this.require({ name });
    return [record.latest, ...record.versions];
  }

  // ---- resource policies --------------------------------------------------------------------

  /**
   * What a policy qualifier names, for reading: the key its policy is stored under (`''` for the
   * unqualified function and `$LATEST`), the ARN statements name as their resource, and the
   * RevisionId GetPolicy reports (the version's or alias's own).
   */
  async policyTarget(ref: FunctionRef): Promise<PolicyTarget> {
    return this.#policyTarget(await this.require(ref), ref);
  }

  /**
   * A change to the resource policy of the unqualified function, a published version or an alias.
   * Under the function's lock: checks `expectedRevisionId` against the target's RevisionId, runs
   * `write`, then gives the target a new RevisionId, as AWS does on every policy change (GetPolicy
   * and GetFunction/GetAlias then report the same new revision).
   */
  async changePolicy<T>(
    ref: FunctionRef,
    expectedRevisionId: string | undefined,
    write: (target: PolicyTarget) => Promise<T>,
  ): Promise<T> {
    let touchedLatest = false;
    const result = await this.#mutex.run(ref.name, async () => {
      const record = await this.require(ref);
      const target = this.#policyTarget(record, ref);
      if (expectedRevisionId !== undefined && expectedRevisionId !== target.revisionId)
        throw revisionMismatch();
      const out = await write(target);
      touchedLatest = await this.#newPolicyRevision(record, target);
      return out;
    });
    if (touchedLatest) this.#emit({ kind: 'updated', name: ref.name });
    return result;
  }

  #policyTarget(record: FunctionRecord, ref: FunctionRef): PolicyTarget {
    const q = ref.qualifier;
    if (q === undefined || q === LATEST)
      return { key: '', arn: this.arn(record.name), revisionId: record.latest.revisionId };
    const missing = () => notFound(`Function not found: ${this.arn(record.name, q)}`);
    if (isVersionNumber(q)) {
      const version = findVersion(record, q);
      if (!version) throw missing();
      return { key: q, arn: this.arn(record.name, q), revisionId: version.revisionId };
    }
    const alias = record.aliases.find((a) => a.name === q);
    if (!alias) throw missing();
    return { key: q, arn: this.arn(record.name, q), revisionId: alias.revisionId };
  }

  /** Gives the policy's owner a new RevisionId; `true` when that was `$LATEST`. */
  async #newPolicyRevision(record: FunctionRecord, target: PolicyTarget): Promise<boolean> {
    const revisionId = randomUUID();
    const lost = () => UPDATE_IN_PROGRESS(target.arn);
    if (target.key === '') {
      const latest = { ...record.latest, revisionId };
      if (!(await this.store.updateLatest(latest, record.latest.revisionId))) throw lost();
      this.#cache.set(record.name, { ...record, latest });
      return true;
    }
    if (isVersionNumber(target.key)) {
      const current = findVersion(record, target.key)!;
      const version = { ...current, revisionId };
      if (!(await this.store.updateVersion(version, current.revisionId))) throw lost();
      this.#cache.set(record.name, {
        ...record,
        versions: record.versions.map((v) => (v === current ? version : v)),
      });
      return false;
    }
    const current = record.aliases.find((a) => a.name === target.key)!;
    const alias = { ...current, revisionId };
    if (!(await this.store.putAlias(record.name, alias, { expectedRevisionId: current.revisionId })))
      throw lost();
    this.#cache.set(record.name, {
      ...record,
      aliases: record.aliases.map((a) => (a === current ? alias : a)),
    });
    return false;
  }

  // ---- aliases ------------------------------------------------------------------------------

  async createAlias(fn: string, name: string, input: AliasInput): Promise<Alias> {
    if (isVersionNumber(name)) throw invalidParameter(`Alias name ${name} cannot be a version number.`);
    return this.#aliasChange(fn, async (record) => {
      if (record.aliases.some((a) => a.name === name)) {
        throw conflict(`Alias already exists: ${this.arn(fn, name)}`);
      }
      const weights = input.weights ?? {};
      checkAliasTarget(record, input.functionVersion, weights, (q) => this.arn(fn, q));
      const alias: Alias = {
        name,
        functionVersion: input.functionVersion,
        description: input.description ?? '',
        additionalVersionWeights: weights,
        revisionId: newAliasRevision(),
      };
      for (const guard of this.#aliasGuards) guard(record, alias);
      if (!(await this.store.putAlias(fn, alias, { create: true }))) {
        throw conflict(`Alias already exists: ${this.arn(fn, name)}`);
      }
      return { alias, aliases: [...record.aliases, alias].sort((a, b) => (a.name < b.name ? -1 : 1)) };
    });
  }

  async getAlias(fn: string, name: string): Promise<Alias> {
    const record = await this.require({ name: fn });
    const alias = record.aliases.find((a) => a.name === name);
    if (!alias) throw notFound(`Cannot find alias arn: ${this.arn(fn, name)}`);
    return alias;
  }

  async listAliases(fn: string, functionVersion?: string): Promise<Alias[]> {
    const record = await this.require({ name: fn });
    if (functionVersion === undefined) return record.aliases;
    return record.aliases.filter(
      (a) => a.functionVersion === functionVersion || functionVersion in a.additionalVersionWeights,
    );
  }

  async updateAlias(
    fn: string,
    name: string,
    input: Partial<AliasInput>,
    revisionId?: string,
  ): Promise<Alias> {
    return this.#aliasChange(fn, async (record) => {
      const current = record.aliases.find((a) => a.name === name);
      if (!current) throw notFound(`Cannot find alias arn: ${this.arn(fn, name)}`);
      if (revisionId !== undefined && revisionId !== current.revisionId) throw revisionMismatch();
      const alias: Alias = {
        ...current,
        functionVersion: input.functionVersion ?? current.functionVersion,
        description: input.description ?? current.description,
        additionalVersionWeights: input.weights ?? current.additionalVersionWeights,
        revisionId: newAliasRevision(),
      };
      checkAliasTarget(record, alias.functionVersion, alias.additionalVersionWeights, (q) => this.arn(fn, q));
      for (const guard of this.#aliasGuards) guard(record, alias);
      if (!(await this.store.putAlias(fn, alias, { expectedRevisionId: current.revisionId })))
        throw revisionMismatch();
      return { alias, aliases: record.aliases.map((a) => (a.name === name ? alias : a)) };
    });
  }

  async deleteAlias(fn: string, name: string): Promise<void> {
    await this.#aliasChange(
      fn,
      async (record) => {
        await this.store.deleteAlias(fn, name);
        return { alias: undefined, aliases: record.aliases.filter((a) => a.name !== name) };
      },
      name,
    );
  }

  // ---- invoke path --------------------------------------------------------------------------

  /** Resolves what to run for an invocation (alias routing included). Read from memory on the hot path. */
  async resolve(ref: FunctionRef): Promise<ResolvedFunction> {
    const { record, version: primary, alias } = await this.requireVersion(ref);
    let version = primary;
    if (alias && Object.keys(alias.additionalVersionWeights).length > 0) {
      version = findVersion(record, pickVersion(alias, this.#random)) ?? primary;
    }
    return {
      version,
      executedVersion: version.version,
      invokedArn: this.arn(ref.name, ref.qualifier),
      codeDir: this.code.imagePath(version.code.imageKey),
      ...(version.optImageKey ? { optDir: this.code.imagePath(version.optImageKey) } : {}),
    };
  }

  async accountUsage(): Promise<{ functionCount: number; totalCodeSize: number }> {
    const [functionCount, refs] = await Promise.all([this.store.count(), this.#references()]);
    return { functionCount, totalCodeSize: refs.totalCodeSize };
  }

  /** Deletes code nothing refers to, sparing folders that running sandboxes still use. */
  async collectGarbage(inUseCodeDirs: Set<string>): Promise<void> {
    const refs = await this.#references();
    for (const dir of inUseCodeDirs) refs.imageKeys.add(dir.slice(-64));
    await this.code.collectGarbage(refs);
  }

  /** Restarts builds a previous server run left unfinished (their functions stay Pending/InProgress). */
  async resumeBuilds(): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.list(after, 100);
      for (const r of page) {
        const pending = r.latest.pendingCode;
        if (!pending?.sourceImageKey) continue;
        const plan = await this.#plan(pending.sourceImageKey, r.latest.runtime);
        if (plan?.key === pending.imageKey) this.#startBuild(r.name, plan, false);
        else
          await this.#finishBuild(r.name, { key: pending.imageKey } as BuildPlan, {
            failure: new BuildFailure(
              'InternalError',
              'The build was interrupted by a server restart and its recipe changed; deploy the code again.',
            ),
          });
      }
      if (page.length < 100) return;
      after = page[page.length - 1]!.name;
    }
  }

  /** Resolves when no build is running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#builds.size > 0) await Promise.allSettled([...this.#builds]);
  }

  /**
   * Stops running builds and waits for them to end. Their functions stay `Pending`/`InProgress` in
   * the store and are built again by {@link resumeBuilds} on the next start.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.o.builder?.close();
    await this.idle();
  }

  // ---- internals ----------------------------------------------------------------------------

  async #mutate(
    name: string,
    expectedRevision: string | undefined,
    change: (latest: FunctionVersion) => Promise<FunctionVersion>,
  ): Promise<FunctionVersion> {
    const updated = await this.#mutex.run(name, async () => {
      const record = await this.get(name);
      if (!record) throw notFound(`Function not found: ${this.arn(name)}`);
      if (expectedRevision !== undefined && expectedRevision !== record.latest.revisionId)
        throw revisionMismatch();
      if (record.latest.pendingCode) throw UPDATE_IN_PROGRESS(this.arn(name));
      const next = await change(record.latest);
      next.revisionId = randomUUID();
      next.lastModified = this.clock.now();
      next.lastUpdateStatus = next.pendingCode ? 'InProgress' : 'Successful';
      delete next.lastUpdateStatusReason;
      delete next.lastUpdateStatusReasonCode;
      if (!(await this.store.updateLatest(next, record.latest.revisionId)))
        throw UPDATE_IN_PROGRESS(this.arn(name));
      this.#cache.set(name, { ...record, latest: next });
      return next;
    });
    this.#emit({ kind: 'updated', name });
    return updated;
  }

  async #aliasChange<T extends Alias | undefined>(
    fn: string,
    change: (record: FunctionRecord) => Promise<{ alias: T; aliases: Alias[] }>,
    deletedAlias?: string,
  ): Promise<T> {
    const alias = await this.#mutex.run(fn, async () => {
      const record = await this.require({ name: fn });
      const r = await change(record);
      this.#cache.set(fn, { ...record, aliases: r.aliases });
      return r.alias;
    });
    this.#emit({ kind: 'aliased', name: fn, ...(deletedAlias === undefined ? {} : { deletedAlias }) });
    return alias;
  }

  /** The unbuilt code of a version (the unpacked zip), re-unpacked from its blob if it was collected. */
  async #sourceOf(code: CodeRef): Promise<CodeRef> {
    const key = code.sourceImageKey ?? code.imageKey;
    const { sourceImageKey: _s, ...rest } = code;
    if ((await this.code.imageSize(key)) !== undefined) return { ...rest, imageKey: key };
    const zip = await this.code.zip(code.blobKey);
    if (!zip)
      throw new LambdaError('ServiceException', `The code of this function is missing (${code.blobKey}).`);
    return this.code.ingestZip(zip);
  }

  async #plan(sourceKey: string, runtime: string): Promise<BuildPlan | undefined> {
    return this.o.builder?.plan(sourceKey, runtime);
  }

  /**
   * What a new zip becomes: ready at once (nothing to build, or an identical build exists), or a
   * pending build whose result will be the image `plan.key`.
   */
  async #prepare(
    source: CodeRef,
    runtime: string,
  ): Promise<{ ready?: CodeRef; pending?: CodeRef; plan?: BuildPlan }> {
    const plan = await this.#plan(source.imageKey, runtime);
    if (!plan) return { ready: source };
    const built: CodeRef = { ...source, imageKey: plan.key, sourceImageKey: source.imageKey };
    const size = await this.code.imageSize(plan.key);
    if (size !== undefined) return { ready: { ...built, unzippedSize: size } };
    return { pending: built, plan };
  }

  #startBuild(name: string, plan: BuildPlan, publish: boolean): void {
    const builder = this.o.builder;
    if (!builder) return;
    const logStream = `${new Date(this.clock.now()).toISOString().slice(0, 10).replace(/-/g, '/')}/[build]${plan.key.slice(0, 32)}`;
    const log = (message: string) =>
      this.o.buildLog?.write({
        functionName: name,
        logStream,
        requestId: BUILD_LOG_REQUEST_ID,
        timestamp: this.clock.now(),
        message,
      });
    log(`nimbus: building ${plan.steps.join(', ')} for ${plan.runtime} (image ${plan.key.slice(0, 12)})`);
    const run = (async () => {
      let outcome: { size: number } | { failure: BuildFailure };
      try {
        outcome = { size: await builder.build(plan, log) };
      } catch (e) {
        const failure =
          e instanceof BuildFailure
            ? e
            : new BuildFailure('InternalError', `The build failed: ${(e as Error).message}`);
        log(`nimbus: build failed: ${failure.message}`);
        outcome = { failure };
      }
      if (this.#closed) return;
      const ok = await this.#finishBuild(name, plan, outcome);
      if (ok && publish) await this.publishVersion({ name }, {}).catch(() => undefined);
    })();
    this.#builds.add(run);
    void run.finally(() => this.#builds.delete(run));
  }

  /** Applies a build's outcome to `$LATEST`, if that build is still the one it waits for. */
  async #finishBuild(
    name: string,
    plan: BuildPlan,
    outcome: { size: number } | { failure: BuildFailure },
  ): Promise<boolean> {
    const applied = await this.#mutex.run(name, async () => {
      const record = await this.get(name);
      const latest = record?.latest;
      if (!record || !latest?.pendingCode || latest.pendingCode.imageKey !== plan.key) return false;
      const { pendingCode, ...rest } = latest;
      const next: FunctionVersion = { ...rest, revisionId: randomUUID(), lastModified: this.clock.now() };
      delete next.stateReason;
      delete next.stateReasonCode;
      delete next.lastUpdateStatusReason;
      delete next.lastUpdateStatusReasonCode;
      if ('size' in outcome) {
        next.code = { ...pendingCode, unzippedSize: outcome.size };
        next.state = 'Active';
        next.lastUpdateStatus = 'Successful';
      } else {
        const { reasonCode, message } = outcome.failure;
        if (latest.state === 'Pending') {
          next.state = 'Failed';
          next.stateReason = message;
          next.stateReasonCode = reasonCode;
          // The zip that failed to build is what the function has (GetFunction returns it).
          next.code = { ...pendingCode, imageKey: pendingCode.sourceImageKey ?? pendingCode.imageKey };
          delete next.code.sourceImageKey;
        }
        next.lastUpdateStatus = 'Failed';
        next.lastUpdateStatusReason = message;
        next.lastUpdateStatusReasonCode = reasonCode;
      }
      if (!(await this.store.updateLatest(next, latest.revisionId))) return false;
      this.#cache.set(name, { ...record, latest: next });
      return 'size' in outcome;
    });
    this.#emit({ kind: 'updated', name });
    return applied;
  }

  async #layers(
    arns: readonly string[],
    runtime: string,
    architecture: string,
    current: readonly LayerRef[],
  ) {
    if (arns.length === 0) return { refs: [], unzippedSize: 0 } satisfies ResolvedLayers as ResolvedLayers;
    if (!this.o.layers) throw invalidParameter('Layers are not supported by this Nimbus server.');
    return this.o.layers.resolve(arns, runtime, architecture, current);
  }

  async #references(): Promise<CodeReferences> {
    const refs = await this.store.referencedCode();
    const layers = await this.o.layers?.referencedCode();
    if (layers) {
      for (const k of layers.blobKeys) refs.blobKeys.add(k);
      for (const k of layers.imageKeys) refs.imageKeys.add(k);
      refs.totalCodeSize += layers.totalCodeSize;
    }
    return refs;
  }

  #checkRuntime(runtime: string): void {
    checkRuntime(runtime);
    const why = this.o.runtimeUnavailable?.(runtime);
    if (why)
      throw invalidParameter(
        `The runtime parameter of ${runtime} is not supported by this Nimbus server: ${why}`,
      );
  }

  #noQualifier(ref: FunctionRef): void {
    if (ref.qualifier !== undefined && ref.qualifier !== LATEST) {
      throw invalidParameter(
        'Please do not provide a qualifier for this operation; only $LATEST can be updated.',
      );
    }
  }

  async #checkCodeStorage(addedBytes: number): Promise<void> {
    if (addedBytes <= 0) return;
    const { totalCodeSize } = await this.#references();
    if (totalCodeSize + addedBytes > TOTAL_CODE_SIZE_MAX_BYTES) {
      throw new LambdaError('CodeStorageExceededException', 'Code storage limit exceeded.');
    }
  }

  #emit(change: FunctionChange): void {
    for (const l of this.#listeners) l(change);
  }
}

/** `$LATEST` of a new function: defaults filled in, Pending while its code builds. */
function firstVersion(
  input: CreateFunctionInput,
  architectures: Architecture[],
  prepared: { ready?: CodeRef; pending?: CodeRef },
  layers: ResolvedLayers,
  source: CodeRef,
  now: number,
): FunctionVersion {
  return {
    name: input.name,
    version: LATEST,
    runtime: input.runtime,
    handler: input.handler,
    role: input.role,
    description: input.description ?? '',
    timeout: input.timeout ?? TIMEOUT_DEFAULT_SECONDS,
    memorySize: input.memorySize ?? MEMORY_DEFAULT_MB,
    environment: input.environment ?? {},
    architectures,
    ephemeralStorageMb: input.ephemeralStorageMb ?? EPHEMERAL_STORAGE_DEFAULT_MB,
    tracingMode: input.tracingMode ?? 'PassThrough',
    loggingConfig: {
      logFormat: input.loggingConfig?.logFormat ?? 'Text',
      logGroup: input.loggingConfig?.logGroup ?? defaultLogGroup(input.name),
      ...(input.loggingConfig?.applicationLogLevel
        ? { applicationLogLevel: input.loggingConfig.applicationLogLevel }
        : {}),
      ...(input.loggingConfig?.systemLogLevel ? { systemLogLevel: input.loggingConfig.systemLogLevel } : {}),
    },
    ...(input.deadLetterTargetArn ? { deadLetterTargetArn: input.deadLetterTargetArn } : {}),
    packageType: 'Zip',
    code: prepared.ready ?? source,
    layers: layers.refs,
    ...(layers.optImageKey ? { optImageKey: layers.optImageKey } : {}),
    ...(prepared.pending ? { pendingCode: prepared.pending } : {}),
    state: prepared.pending ? 'Pending' : 'Active',
    ...(prepared.pending
      ? { stateReason: 'The function is being created.', stateReasonCode: 'Creating' }
      : {}),
    lastUpdateStatus: prepared.pending ? 'InProgress' : 'Successful',
    revisionId: randomUUID(),
    lastModified: now,
  };
}

function checkRuntime(runtime: string): void {
  if (isSupportedRuntime(runtime)) return;
  if (isDeprecatedRuntime(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  throw invalidParameter(
    `The runtime parameter of ${runtime} is not supported by this Nimbus server. Supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')}.`,
  );
}

/** Code plus layers must fit Lambda's 250 MB unzipped limit. */
function checkUnzippedSize(total: number): void {
  if (total > UNZIPPED_MAX_BYTES) {
    throw invalidParameter(
      `Function code combined with layers exceeds the maximum allowed size of ${UNZIPPED_MAX_BYTES} bytes. The actual size is ${total} bytes.`,
    );
  }
}

function sumLayers(layers: readonly LayerRef[]): number {
  return layers.reduce((n, l) => n + l.unzippedSize, 0);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
