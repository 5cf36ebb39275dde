import { type FunctionRef, LATEST } from '../domain/arn.js';
import { awsTimestamp, type Clock } from '../domain/clock.js';
import { invalidParameter, LambdaError, notFound } from '../domain/errors.js';
import type { FunctionRegistry } from '../registry/function-registry.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { ConcurrencyStore } from '../store/ports.js';
import type { ConcurrencyLimiter } from './concurrency.js';
import type { InvokeService } from './invoke-service.js';

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

/**
 * Reserved and provisioned concurrency of functions: AWS's rules for setting them, persistence,
 * and keeping the sandboxes they promise. Reserved concurrency is enforced by the
 * {@link ConcurrencyLimiter}; provisioned concurrency by the function's current pool, re-applied
 * whenever new code or configuration makes a new pool.
 *
 * Nimbus has no published versions yet, so provisioned concurrency applies to `$LATEST`, where
 * AWS requires a version or alias ("Provisioned Concurrency Configs cannot be applied to
 * unpublished function versions."); other qualifiers are not found, as on AWS.
 */
export class ConcurrencyConfig {
  /** functionName → qualifier → requested / lastModified. */
  readonly #provisioned = new Map<string, Map<string, { requested: number; lastModified: number }>>();

  constructor(
    private readonly o: {
      store: ConcurrencyStore;
      limiter: ConcurrencyLimiter;
      registry: FunctionRegistry;
      sandboxes: SandboxManager;
      invoke: InvokeService;
      clock: Clock;
    },
  ) {}

  /** Loads the stored settings into the limiter (before the server serves). */
  async load(): Promise<void> {
    for (const r of await this.o.store.all()) {
      if (r.reserved !== undefined) this.o.limiter.setReserved(r.functionName, r.reserved);
      if (r.provisioned.length > 0) {
        this.#provisioned.set(
          r.functionName,
          new Map(
            r.provisioned.map((p) => [p.qualifier, { requested: p.requested, lastModified: p.lastModified }]),
          ),
        );
      }
    }
  }

  /** Starts the provisioned sandboxes of every function (once the endpoint is known). */
  async provisionAll(): Promise<void> {
    for (const name of this.#provisioned.keys()) await this.#apply(name);
  }

  /** After an update the function has a new pool, to provision; after a delete, nothing to keep. */
  async functionChanged(change: {
    kind: 'updated' | 'deleted' | 'published' | 'aliased';
    name: string;
  }): Promise<void> {
    if (change.kind === 'deleted') {
      this.#provisioned.delete(change.name);
      this.o.limiter.forget(change.name);
      return;
    }
    await this.#apply(change.name);
  }

  async putReserved(ref: FunctionRef, reserved: number): Promise<number> {
    const { record } = await this.o.registry.requireVersion(ref);
    this.o.limiter.checkReservation(record.name, reserved, this.#provisionedTotal(record.name));
    await this.o.store.setReserved(record.name, reserved);
    this.o.limiter.setReserved(record.name, reserved);
    return reserved;
  }

  async getReserved(ref: FunctionRef): Promise<number | undefined> {
    const { record } = await this.o.registry.requireVersion(ref);
    return this.o.limiter.reservedFor(record.name);
  }

  async deleteReserved(ref: FunctionRef): Promise<void> {
    const { record } = await this.o.registry.requireVersion(ref);
    await this.o.store.setReserved(record.name, undefined);
    this.o.limiter.setReserved(record.name, undefined);
  }

  async putProvisioned(
    ref: FunctionRef,
    qualifier: string,
    requested: number,
  ): Promise<ProvisionedConcurrencyView> {
    const name = await this.#requireQualifier(ref, qualifier);
    const others =
      this.#provisionedTotal(name) - (this.#provisioned.get(name)?.get(qualifier)?.requested ?? 0);
    const reserved = this.o.limiter.reservedFor(name);
    const limiter = this.o.limiter;
    if (reserved !== undefined && others + requested > reserved) {
      throw invalidParameter(
        'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function',
      );
    }
    if (reserved === undefined && requested > limiter.unreservedLimit) {
      throw invalidParameter(
        `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${limiter.unreservedLimit}].`,
      );
    }
    if (reserved === undefined && limiter.unreservedLimit - others - requested < limiter.unreservedMinimum) {
      throw invalidParameter(
        `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${limiter.unreservedMinimum}].`,
      );
    }
    const lastModified = this.o.clock.now();
    await this.o.store.setProvisioned(name, qualifier, requested, lastModified);
    let byQualifier = this.#provisioned.get(name);
    if (!byQualifier) {
      byQualifier = new Map();
      this.#provisioned.set(name, byQualifier);
    }
    byQualifier.set(qualifier, { requested, lastModified });
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
    const name = await this.#requireQualifier(ref, qualifier);
    const view = this.#view(name, qualifier);
    if (!view) {
      throw new LambdaError(
        'ProvisionedConcurrencyConfigNotFoundException',
        'No Provisioned Concurrency Config found for this function',
      );
    }
    return view;
  }

  async listProvisioned(ref: FunctionRef): Promise<ProvisionedConcurrencyView[]> {
    const { record } = await this.o.registry.requireVersion({ ...ref, qualifier: undefined });
    return [...(this.#provisioned.get(record.name)?.keys() ?? [])].flatMap(
      (q) => this.#view(record.name, q) ?? [],
    );
  }

  async deleteProvisioned(ref: FunctionRef, qualifier: string): Promise<void> {
    const name = await this.#requireQualifier(ref, qualifier);
    if (!this.#provisioned.get(name)?.has(qualifier)) return;
    await this.o.store.setProvisioned(name, qualifier, undefined, this.o.clock.now());
    this.#provisioned.get(name)?.delete(qualifier);
    if (this.#provisioned.get(name)?.size === 0) this.#provisioned.delete(name);
    await this.#apply(name);
  }

  /** Provisioned sandboxes wanted for a function (all qualifiers), for status output. */
  provisionedFor(functionName: string): number {
    return this.#provisionedTotal(functionName);
  }

  #provisionedTotal(name: string): number {
    let total = 0;
    for (const p of this.#provisioned.get(name)?.values() ?? []) total += p.requested;
    return total;
  }

  #view(name: string, qualifier: string): ProvisionedConcurrencyView | undefined {
    const config = this.#provisioned.get(name)?.get(qualifier);
    if (!config) return undefined;
    const state = this.o.sandboxes.provisioned(name);
    const allocated = Math.min(config.requested, state.allocated);
    return {
      functionArn: this.o.registry.arn(name, qualifier),
      requested: config.requested,
      allocated,
      available: allocated,
      status: state.failed ? 'FAILED' : allocated >= config.requested ? 'READY' : 'IN_PROGRESS',
      ...(state.failed
        ? { statusReason: 'The function failed to initialize; see its logs (INIT_REPORT lines).' }
        : {}),
      lastModified: awsTimestamp(config.lastModified),
    };
  }

  /** Tells the function's current pool how many sandboxes to keep initialised. */
  async #apply(name: string): Promise<void> {
    const record = await this.o.registry.get(name);
    if (!record) return;
    const resolved = await this.o.registry.resolve({ name });
    this.o.sandboxes.setProvisioned(this.o.invoke.sandboxSpec(resolved), this.#provisionedTotal(name));
  }

  /** The function name, when the qualifier is one Nimbus can provision (`$LATEST`). */
  async #requireQualifier(ref: FunctionRef, qualifier: string): Promise<string> {
    if (ref.qualifier !== undefined && ref.qualifier !== qualifier) {
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    const { record } = await this.o.registry.requireVersion({ ...ref, qualifier: undefined });
    if (qualifier === LATEST) return record.name;
    if (/^\d+$/.test(qualifier))
      throw notFound(`Function not found: ${this.o.registry.arn(record.name, qualifier)}`);
    throw notFound(`Cannot find alias arn: ${this.o.registry.arn(record.name, qualifier)}`);
  }
}
