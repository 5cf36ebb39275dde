import { randomUUID } from 'node:crypto';
import type { CodeStore } from '../artifacts/code-store.js';
import { type AccountScope, type FunctionRef, functionArn, LATEST } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import { checkEnvironment } from '../domain/environment.js';
import { conflict, invalidParameter, LambdaError, notFound } from '../domain/errors.js';
import {
  type Architecture,
  defaultLogGroup,
  type FunctionConfigPatch,
  type FunctionRecord,
  type FunctionVersion,
  type LoggingConfig,
} from '../domain/function.js';
import {
  EPHEMERAL_STORAGE_DEFAULT_MB,
  MEMORY_DEFAULT_MB,
  TIMEOUT_DEFAULT_SECONDS,
  TOTAL_CODE_SIZE_MAX_BYTES,
} from '../domain/limits.js';
import { isDeprecatedRuntime, isSupportedRuntime, SUPPORTED_RUNTIMES } from '../domain/runtimes.js';
import type { FunctionStore } from '../store/ports.js';
import { KeyedMutex } from './keyed-mutex.js';

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
}

/** A version resolved for running: what the invoke path needs, computed once per revision. */
export interface ResolvedFunction {
  version: FunctionVersion;
  /** `$LATEST` or the version number that runs. */
  executedVersion: string;
  /** The ARN as the caller addressed it (qualified when a qualifier was given). */
  invokedArn: string;
  codeDir: string;
}

export type FunctionChange = { kind: 'updated' | 'deleted'; name: string };

/**
 * The control plane for functions: validates semantics that the API's shape checks cannot,
 * stores code and configuration, and keeps an in-memory view of what the invoke path reads on
 * every request. Mutations of one function are serialised.
 */
export class FunctionRegistry {
  readonly #mutex = new KeyedMutex();
  readonly #cache = new Map<string, FunctionRecord>();
  readonly #listeners = new Set<(c: FunctionChange) => void>();

  constructor(
    private readonly store: FunctionStore,
    private readonly code: CodeStore,
    private readonly clock: Clock,
    readonly scope: AccountScope,
  ) {}

  onChange(listener: (c: FunctionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  arn(name: string, qualifier?: string): string {
    return functionArn(this.scope, name, qualifier);
  }

  async create(input: CreateFunctionInput): Promise<FunctionRecord> {
    checkRuntime(input.runtime);
    if (input.environment) checkEnvironment(input.environment);
    return this.#mutex.run(input.name, async () => {
      if (await this.store.get(input.name)) throw conflict(`Function already exist: ${input.name}`);
      const code = await this.code.ingestZip(input.zip);
      await this.#checkCodeStorage(code.size);
      const now = this.clock.now();
      const latest: FunctionVersion = {
        name: input.name,
        version: LATEST,
        runtime: input.runtime,
        handler: input.handler,
        role: input.role,
        description: input.description ?? '',
        timeout: input.timeout ?? TIMEOUT_DEFAULT_SECONDS,
        memorySize: input.memorySize ?? MEMORY_DEFAULT_MB,
        environment: input.environment ?? {},
        architectures: input.architectures ?? ['x86_64'],
        ephemeralStorageMb: input.ephemeralStorageMb ?? EPHEMERAL_STORAGE_DEFAULT_MB,
        tracingMode: input.tracingMode ?? 'PassThrough',
        loggingConfig: {
          logFormat: input.loggingConfig?.logFormat ?? 'Text',
          logGroup: input.loggingConfig?.logGroup ?? defaultLogGroup(input.name),
          ...(input.loggingConfig?.applicationLogLevel
            ? { applicationLogLevel: input.loggingConfig.applicationLogLevel }
            : {}),
          ...(input.loggingConfig?.systemLogLevel
            ? { systemLogLevel: input.loggingConfig.systemLogLevel }
            : {}),
        },
        ...(input.deadLetterTargetArn ? { deadLetterTargetArn: input.deadLetterTargetArn } : {}),
        packageType: 'Zip',
        code,
        state: 'Active',
        lastUpdateStatus: 'Successful',
        revisionId: randomUUID(),
        lastModified: now,
      };
      const record: FunctionRecord = { name: input.name, tags: input.tags ?? {}, createdAt: now, latest };
      if (!(await this.store.create(record))) throw conflict(`Function already exist: ${input.name}`);
      this.#cache.set(record.name, record);
      return record;
    });
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

  /** Configuration of `$LATEST` (the only version until versions are published). */
  async requireVersion(ref: FunctionRef): Promise<{ record: FunctionRecord; version: FunctionVersion }> {
    const record = await this.require(ref);
    if (ref.qualifier !== undefined && ref.qualifier !== LATEST) {
      throw notFound(`Function not found: ${this.arn(ref.name, ref.qualifier)}`);
    }
    return { record, version: record.latest };
  }

  async list(afterName: string | undefined, limit: number): Promise<FunctionRecord[]> {
    return this.store.list({ ...(afterName === undefined ? {} : { afterName }), limit });
  }

  async updateCode(
    ref: FunctionRef,
    zip: Buffer,
    revisionId?: string,
    architectures?: Architecture[],
  ): Promise<FunctionVersion> {
    this.#noQualifier(ref);
    return this.#mutate(ref.name, revisionId, async (latest) => {
      const code = await this.code.ingestZip(zip);
      await this.#checkCodeStorage(code.size - latest.code.size);
      return { ...latest, code, ...(architectures ? { architectures } : {}) };
    });
  }

  async updateConfiguration(
    ref: FunctionRef,
    patch: FunctionConfigPatch,
    revisionId?: string,
  ): Promise<FunctionVersion> {
    this.#noQualifier(ref);
    if (patch.runtime !== undefined) checkRuntime(patch.runtime);
    if (patch.environment !== undefined) checkEnvironment(patch.environment);
    return this.#mutate(ref.name, revisionId, async (latest) => {
      const next: FunctionVersion = { ...latest, ...stripUndefined(patch) };
      if (patch.loggingConfig)
        next.loggingConfig = { ...latest.loggingConfig, ...stripUndefined(patch.loggingConfig) };
      // `DeadLetterConfig: {}` (an empty target) removes the dead-letter queue.
      if (next.deadLetterTargetArn === '') delete next.deadLetterTargetArn;
      return next;
    });
  }

  async delete(ref: FunctionRef): Promise<void> {
    if (ref.qualifier !== undefined && ref.qualifier !== LATEST) {
      throw notFound(`Function not found: ${this.arn(ref.name, ref.qualifier)}`);
    }
    if (ref.qualifier === LATEST) {
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    }
    await this.#mutex.run(ref.name, async () => {
      if (!(await this.store.delete(ref.name))) throw notFound(`Function not found: ${this.arn(ref.name)}`);
      this.#cache.delete(ref.name);
    });
    this.#emit({ kind: 'deleted', name: ref.name });
  }

  async setTags(name: string, tags: Record<string, string>): Promise<void> {
    await this.#mutex.run(name, async () => {
      const record = await this.get(name);
      if (!record) throw notFound(`Function not found: ${this.arn(name)}`);
      if (!(await this.store.setTags(name, tags))) throw notFound(`Function not found: ${this.arn(name)}`);
      this.#cache.set(name, { ...record, tags });
    });
  }

  /** Resolves what to run for an invocation. Read from memory on the hot path. */
  async resolve(ref: FunctionRef): Promise<ResolvedFunction> {
    const { version } = await this.requireVersion(ref);
    return {
      version,
      executedVersion: LATEST,
      invokedArn: this.arn(ref.name, ref.qualifier),
      codeDir: this.code.imagePath(version.code.imageKey),
    };
  }

  async accountUsage(): Promise<{ functionCount: number; totalCodeSize: number }> {
    const [functionCount, refs] = await Promise.all([this.store.count(), this.store.referencedCode()]);
    return { functionCount, totalCodeSize: refs.totalCodeSize };
  }

  /** Deletes code no function refers to, sparing folders that running sandboxes still use. */
  async collectGarbage(inUseCodeDirs: Set<string>): Promise<void> {
    const refs = await this.store.referencedCode();
    for (const dir of inUseCodeDirs) refs.imageKeys.add(dir.slice(-64));
    await this.code.collectGarbage(refs);
  }

  async #mutate(
    name: string,
    expectedRevision: string | undefined,
    change: (latest: FunctionVersion) => Promise<FunctionVersion>,
  ): Promise<FunctionVersion> {
    const updated = await this.#mutex.run(name, async () => {
      const record = await this.get(name);
      if (!record) throw notFound(`Function not found: ${this.arn(name)}`);
      if (expectedRevision !== undefined && expectedRevision !== record.latest.revisionId) {
        throw new LambdaError(
          'PreconditionFailedException',
          'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
        );
      }
      const next = await change(record.latest);
      next.revisionId = randomUUID();
      next.lastModified = this.clock.now();
      next.lastUpdateStatus = 'Successful';
      if (!(await this.store.updateLatest(next, record.latest.revisionId))) {
        throw conflict(
          `The operation cannot be performed at this time. An update is in progress for resource: ${this.arn(name)}`,
        );
      }
      this.#cache.set(name, { ...record, latest: next });
      return next;
    });
    this.#emit({ kind: 'updated', name });
    return updated;
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
    const { totalCodeSize } = await this.store.referencedCode();
    if (totalCodeSize + addedBytes > TOTAL_CODE_SIZE_MAX_BYTES) {
      throw new LambdaError('CodeStorageExceededException', 'Code storage limit exceeded.');
    }
  }

  #emit(change: FunctionChange): void {
    for (const l of this.#listeners) l(change);
  }
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
