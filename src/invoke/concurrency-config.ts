import { type FunctionRef, LATEST } from '../domain/arn.js';
import { awsTimestamp, type Clock } from '../domain/clock.js';
import { invalidParameter, LambdaError, notFound } from '../domain/errors.js';
import type { Alias, FunctionRecord } from '../domain/function.js';
import type { Logger } from '../observability/logger.js';
import type { FunctionChange, FunctionRegistry } from '../registry/function-registry.js';
import { isVersionNumber } from '../registry/version-rules.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { ConcurrencyStore } from '../store/ports.js';
import type { ConcurrencyLimiter } from './concurrency.js';
import type { InvokeService } from './invoke-service.js';
import {
  checkAliasChange,
  checkPut,
  NOT_PUBLISHED_QUALIFIER_MESSAGE,
  type ProvisionedEntry,
  qualifierExists,
  sharesOf,
  UNPUBLISHED_MESSAGE,
  versionTargets,
} from './provisioned-rules.js';

/** A provisioned concurrency configuration as the API returns it (lambda-reference §1.2). */
export interface ProvisionedConcurrencyView {
  functionArn: string;
  requested: number;
  allocated: number;
  available: number;
  status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  statusReason?: string;
  lastModified: string;
}

const INIT_FAILED = 'The function failed to initialize; see its logs (INIT_REPORT lines).';

/**
 * Reserved and provisioned concurrency of functions: AWS's rules for setting them, persistence,
 * and keeping the sandboxes they promise. Reserved concurrency is enforced by the
 * {@link ConcurrencyLimiter}, which also carves provisioned concurrency out of the account.
 * Provisioned concurrency is set on published versions and aliases, as on AWS (`$LATEST` is
 * refused); each configuration keeps initialised sandboxes in the pool of the version it covers
 * (an alias's current version, or both versions of a weighted alias), and follows an alias when it
 * moves. Deleting a version or alias deletes its configuration.
 */
export class ConcurrencyConfig {
  /** functionName → qualifier → requested / lastModified. */
  readonly #provisioned = new Map<string, Map<string, ProvisionedEntry>>();

  constructor(
    private readonly o: {
      store: ConcurrencyStore;
      limiter: ConcurrencyLimiter;
      registry: FunctionRegistry;
      sandboxes: SandboxManager;
      invoke: InvokeService;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /**
   * Loads the stored settings into the limiter (before the server serves). A configuration on
   * `$LATEST` (stored before versions existed, when Nimbus applied it there) is dropped with a
   * warning: AWS allows none, and the API could neither show nor delete it.
   */
  async load(): Promise<void> {
    for (const r of await this.o.store.all()) {
      if (r.reserved !== undefined) this.o.limiter.setReserved(r.functionName, r.reserved);
      const record = await this.o.registry.get(r.functionName);
      for (const p of r.provisioned) {
        if (record && p.qualifier !== LATEST && qualifierExists(record, p.qualifier)) {
          this.#configs(r.functionName, true).set(p.qualifier, {
            requested: p.requested,
            lastModified: p.lastModified,
          });
          continue;
        }
        this.o.log.warn(
          { function: r.functionName, qualifier: p.qualifier, requested: p.requested },
          p.qualifier === LATEST
            ? 'dropping provisioned concurrency on $LATEST: it needs a published version or an alias now'
            : 'dropping provisioned concurrency of a version or alias that no longer exists',
        );
        await this.o.store.setProvisioned(r.functionName, p.qualifier, undefined, this.o.clock.now());
      }
      this.#limit(r.functionName, record);
    }
  }

  /** Starts the provisioned sandboxes of every function (once the endpoint is known). */
  async provisionAll(): Promise<void> {
    for (const name of this.#provisioned.keys()) await this.#apply(name);
  }

  /**
   * Checks an alias change against provisioned concurrency (a registry alias guard). The registry
   * calls it under the function's lock, which Put/DeleteProvisionedConcurrencyConfig also hold
   * while they check and change the configurations, so an alias cannot move onto a version that
   * a concurrent Put is provisioning.
   */
  checkAlias(record: FunctionRecord, next: Alias): void {
    checkAliasChange(record, this.#configs(record.name), next);
  }

  /**
   * Follows the function: a deleted function, version or alias takes its configurations with it;
   * new code, versions and alias targets get their sandboxes.
   */
  async functionChanged(change: FunctionChange): Promise<void> {
    if (change.kind === 'deleted') {
      this.#provisioned.delete(change.name);
      this.o.limiter.forget(change.name);
      return;
    }
    const gone = change.deletedVersion ?? change.deletedAlias;
    if (gone !== undefined) {
      await this.o.registry.exclusive(change.name, async () => {
        if (!this.#configs(change.name).has(gone)) return;
        this.#remove(change.name, gone, await this.o.registry.get(change.name));
        await this.o.store.setProvisioned(change.name, gone, undefined, this.o.clock.now());
      });
    }
    await this.#apply(change.name);
  }

  async putReserved(ref: FunctionRef, reserved: number): Promise<number> {
    return this.o.registry.exclusive(ref.name, async () => {
      const { record } = await this.o.registry.requireVersion(ref);
      this.o.limiter.checkReservation(record.name, reserved, this.#total(record.name));
      // Taken before the write, so that no other function's check can pass on the old figures;
      // given back when the write fails.
      const before = this.o.limiter.reservedFor(record.name);
      this.o.limiter.setReserved(record.name, reserved);
      try {
        await this.o.store.setReserved(record.name, reserved);
      } catch (e) {
        this.o.limiter.setReserved(record.name, before);
        throw e;
      }
      return reserved;
    });
  }

  async getReserved(ref: FunctionRef): Promise<number | undefined> {
    const { record } = await this.o.registry.requireVersion(ref);
    return this.o.limiter.reservedFor(record.name);
  }

  async deleteReserved(ref: FunctionRef): Promise<void> {
    await this.o.registry.exclusive(ref.name, async () => {
      const { record } = await this.o.registry.requireVersion(ref);
      await this.o.store.setReserved(record.name, undefined);
      this.o.limiter.setReserved(record.name, undefined);
    });
  }

  /**
   * Checks and saves a configuration under the function's lock (the registry's, which alias
   * changes and their guard also take): two Puts, or a Put and an alias change, cannot both pass
   * their checks against the same old state. The in-memory state changes before the write, so
   * the account-wide check of another function's Put sees it, and is put back if the write fails.
   */
  async putProvisioned(
    ref: FunctionRef,
    qualifier: string,
    requested: number,
  ): Promise<ProvisionedConcurrencyView> {
    const { name, lastModified } = await this.o.registry.exclusive(ref.name, async () => {
      const record = await this.#requireQualifier(ref, qualifier, UNPUBLISHED_MESSAGE);
      const name = record.name;
      const configs = this.#configs(name);
      const previous = configs.get(qualifier);
      const others = this.#total(name) - (previous?.requested ?? 0);
      const reserved = this.o.limiter.reservedFor(name);
      if (reserved !== undefined && others + requested > reserved) {
        throw invalidParameter(
          'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function',
        );
      }
      this.o.limiter.checkProvisioned(name, others + requested);
      checkPut(record, configs, qualifier);
      const lastModified = this.o.clock.now();
      this.#configs(name, true).set(qualifier, { requested, lastModified });
      this.#limit(name, record);
      try {
        await this.o.store.setProvisioned(name, qualifier, requested, lastModified);
      } catch (e) {
        if (previous) this.#configs(name, true).set(qualifier, previous);
        else this.#remove(name, qualifier, record);
        this.#limit(name, record);
        throw e;
      }
      return { name, lastModified };
    });
    await this.#apply(name);
    // As on AWS, the answer to a Put says the allocation has started.
    return {
      functionArn: this.o.registry.arn(name, qualifier),
      requested,
      allocated: 0,
      available: 0,
      status: 'IN_PROGRESS',
      lastModified: awsTimestamp(lastModified),
    };
  }

  async getProvisioned(ref: FunctionRef, qualifier: string): Promise<ProvisionedConcurrencyView> {
    const record = await this.#requireQualifier(ref, qualifier, NOT_PUBLISHED_QUALIFIER_MESSAGE);
    const view = await this.#view(record, qualifier);
    if (!view) {
      throw new LambdaError(
        'ProvisionedConcurrencyConfigNotFoundException',
        'No Provisioned Concurrency Config found for this function',
      );
    }
    return view;
  }

  /** Every configuration of the function (ListProvisionedConcurrencyConfigs), by qualifier. */
  async listProvisioned(ref: FunctionRef): Promise<ProvisionedConcurrencyView[]> {
    const { record } = await this.o.registry.requireVersion({ ...ref, qualifier: undefined });
    const qualifiers = [...this.#configs(record.name).keys()].sort(byQualifier);
    const views = await Promise.all(qualifiers.map((q) => this.#view(record, q)));
    return views.filter((v) => v !== undefined);
  }

  async deleteProvisioned(ref: FunctionRef, qualifier: string): Promise<void> {
    const name = await this.o.registry.exclusive(ref.name, async () => {
      const record = await this.#requireQualifier(ref, qualifier, NOT_PUBLISHED_QUALIFIER_MESSAGE);
      if (!this.#configs(record.name).has(qualifier)) return undefined;
      await this.o.store.setProvisioned(record.name, qualifier, undefined, this.o.clock.now());
      this.#remove(record.name, qualifier, record);
      return record.name;
    });
    if (name !== undefined) await this.#apply(name);
  }

  #configs(name: string, create = false): Map<string, ProvisionedEntry> {
    let configs = this.#provisioned.get(name);
    if (!configs) {
      configs = new Map();
      if (create) this.#provisioned.set(name, configs);
    }
    return configs;
  }

  #remove(name: string, qualifier: string, record: FunctionRecord | undefined): void {
    const configs = this.#provisioned.get(name);
    configs?.delete(qualifier);
    if (configs?.size === 0) this.#provisioned.delete(name);
    this.#limit(name, record);
  }

  /**
   * Tells the limiter what the function carves out of the account and which versions'
   * invocations may run on it (an alias's share goes to the versions it points to now).
   */
  #limit(name: string, record: FunctionRecord | undefined): void {
    const configs = this.#configs(name);
    this.o.limiter.setProvisioned(
      name,
      this.#total(name),
      record ? versionTargets(record, configs) : new Map<string, number>(),
    );
  }

  #total(name: string): number {
    let total = 0;
    for (const p of this.#configs(name).values()) total += p.requested;
    return total;
  }

  /** The pool key of a published version's sandboxes. */
  async #poolKey(name: string, version: string): Promise<string> {
    const resolved = await this.o.registry.resolve({ name, qualifier: version });
    return this.o.invoke.sandboxSpec(resolved).poolKey;
  }

  /** A configuration with what its versions' pools have initialised so far. */
  async #view(record: FunctionRecord, qualifier: string): Promise<ProvisionedConcurrencyView | undefined> {
    const config = this.#configs(record.name).get(qualifier);
    if (!config || !qualifierExists(record, qualifier)) return undefined;
    const shares = sharesOf(record, qualifier, config.requested);
    const targets = versionTargets(record, this.#configs(record.name));
    let allocated = 0;
    let complete = true;
    let failed = false;
    for (const share of shares) {
      const st = this.o.sandboxes.provisionedState(await this.#poolKey(record.name, share.version));
      // A version's pool may serve more than this configuration (an alias routing onto a version
      // that has its own): count this configuration's part of what is ready.
      const target = targets.get(share.version) ?? share.count;
      const ready = Math.min(share.count, Math.floor((st.ready * share.count) / target));
      allocated += ready;
      complete &&= ready >= share.count;
      failed ||= st.failed;
    }
    allocated = Math.min(allocated, config.requested);
    return {
      functionArn: this.o.registry.arn(record.name, qualifier),
      requested: config.requested,
      allocated,
      available: allocated,
      status: failed ? 'FAILED' : complete ? 'READY' : 'IN_PROGRESS',
      ...(failed ? { statusReason: INIT_FAILED } : {}),
      lastModified: awsTimestamp(config.lastModified),
    };
  }

  /** Tells the pools of the function's versions how many sandboxes to keep initialised. */
  async #apply(name: string): Promise<void> {
    const record = await this.o.registry.get(name);
    if (!record) return;
    this.#limit(name, record);
    const wanted = [];
    for (const [version, count] of versionTargets(record, this.#configs(name))) {
      const resolved = await this.o.registry.resolve({ name, qualifier: version });
      wanted.push({ spec: this.o.invoke.sandboxSpec(resolved), count });
    }
    this.o.sandboxes.provisionFunction(name, wanted);
  }

  /**
   * The function, when the qualifier names one of its published versions or aliases: `$LATEST`
   * is refused with `latestMessage` (Put and Get/Delete word it differently on AWS), others are
   * not found.
   */
  async #requireQualifier(
    ref: FunctionRef,
    qualifier: string,
    latestMessage: string,
  ): Promise<FunctionRecord> {
    if (ref.qualifier !== undefined && ref.qualifier !== qualifier) {
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    if (qualifier === LATEST) throw invalidParameter(latestMessage);
    const { record } = await this.o.registry.requireVersion({ ...ref, qualifier: undefined });
    if (qualifierExists(record, qualifier)) return record;
    const arn = this.o.registry.arn(record.name, qualifier);
    throw notFound(
      isVersionNumber(qualifier) ? `Function not found: ${arn}` : `Cannot find alias arn: ${arn}`,
    );
  }
}

/** Versions in number order, then aliases by name. */
function byQualifier(a: string, b: string): number {
  const va = isVersionNumber(a);
  const vb = isVersionNumber(b);
  if (va && vb) return Number(a) - Number(b);
  if (va !== vb) return va ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
