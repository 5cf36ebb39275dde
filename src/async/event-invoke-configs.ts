import { type FunctionRef, LATEST } from '../domain/arn.js';
import {
  type EffectiveEventInvokeConfig,
  type EventInvokeConfig,
  effectiveConfig,
} from '../domain/async-invoke.js';
import type { Clock } from '../domain/clock.js';
import { invalidParameter, notFound, validationError } from '../domain/errors.js';
import type { FunctionRecord } from '../domain/function.js';
import type { FunctionRegistry } from '../registry/function-registry.js';
import type { EventInvokeConfigStore } from '../store/ports.js';
import {
  DESTINATION_ARN_PATTERN_TEXT,
  type DestinationRouter,
  matchesDestinationPattern,
} from './destinations.js';

/** One destination as the request carries it: `{}` (or an empty ARN) means none. */
export interface DestinationInput {
  destination?: string;
}

/** The members of Put/UpdateFunctionEventInvokeConfig (shape already checked). */
export interface EventInvokeConfigInput {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  destinationConfig?: { onSuccess?: DestinationInput; onFailure?: DestinationInput };
}

export interface EventInvokeConfigsOptions {
  store: EventInvokeConfigStore;
  registry: FunctionRegistry;
  destinations: DestinationRouter;
  clock: Clock;
}

/**
 * The EventInvokeConfig control plane: one configuration per function and qualifier. Put
 * replaces the whole configuration, Update merges into an existing one; destinations are checked
 * when they are configured. Error texts follow AWS's (as recorded by LocalStack's AWS-validated
 * snapshots of these operations).
 */
export class EventInvokeConfigs {
  constructor(private readonly o: EventInvokeConfigsOptions) {}

  async put(ref: FunctionRef, input: EventInvokeConfigInput): Promise<EventInvokeConfig> {
    requireSomething(input);
    const { name, qualifier } = await this.#existing(ref);
    await this.#checkDestinations(name, input);
    const config: EventInvokeConfig = {
      functionName: name,
      qualifier,
      ...defined({
        maximumRetryAttempts: input.maximumRetryAttempts,
        maximumEventAgeInSeconds: input.maximumEventAgeInSeconds,
        onSuccess: input.destinationConfig?.onSuccess?.destination || undefined,
        onFailure: input.destinationConfig?.onFailure?.destination || undefined,
      }),
      lastModified: this.o.clock.now(),
    };
    return this.#store(config);
  }

  async update(ref: FunctionRef, input: EventInvokeConfigInput): Promise<EventInvokeConfig> {
    requireSomething(input);
    const { name, qualifier } = await this.#existing(ref);
    const current = await this.o.store.get(name, qualifier);
    if (!current) throw this.#noConfig(name, qualifier);
    await this.#checkDestinations(name, input);
    const next: EventInvokeConfig = { ...current, lastModified: this.o.clock.now() };
    if (input.maximumRetryAttempts !== undefined) next.maximumRetryAttempts = input.maximumRetryAttempts;
    if (input.maximumEventAgeInSeconds !== undefined) {
      next.maximumEventAgeInSeconds = input.maximumEventAgeInSeconds;
    }
    const d = input.destinationConfig;
    if (d?.onSuccess !== undefined) setDestination(next, 'onSuccess', d.onSuccess.destination);
    if (d?.onFailure !== undefined) setDestination(next, 'onFailure', d.onFailure.destination);
    return this.#store(next);
  }

  async get(ref: FunctionRef): Promise<EventInvokeConfig> {
    const qualifier = ref.qualifier ?? LATEST;
    const config = await this.o.store.get(ref.name, qualifier);
    if (!config) throw this.#noConfig(ref.name, qualifier);
    return config;
  }

  async delete(ref: FunctionRef): Promise<void> {
    const qualifier = ref.qualifier ?? LATEST;
    if (!(await this.o.store.delete(ref.name, qualifier))) throw this.#noConfig(ref.name, qualifier);
  }

  async list(
    ref: FunctionRef,
    afterQualifier: string | undefined,
    limit: number,
  ): Promise<EventInvokeConfig[]> {
    if (!(await this.o.registry.get(ref.name))) throw notFound("The function doesn't exist.");
    return this.o.store.list(ref.name, {
      ...(afterQualifier === undefined ? {} : { afterQualifier }),
      limit,
    });
  }

  /** What applies to an event of `functionName` invoked with `qualifier` (unqualified = $LATEST). */
  async effective(functionName: string, qualifier: string | undefined): Promise<EffectiveEventInvokeConfig> {
    return effectiveConfig(await this.o.store.get(functionName, qualifier ?? LATEST));
  }

  /**
   * Deletes the configurations of qualifiers that no longer exist (a deleted version or alias):
   * a configuration lives and dies with its qualifier, as it does with its function.
   */
  async forgetRemovedQualifiers(functionName: string): Promise<void> {
    const record = await this.o.registry.get(functionName);
    if (!record) return;
    const configs = await this.o.store.list(functionName, { limit: Number.MAX_SAFE_INTEGER });
    for (const c of configs) {
      if (!qualifierExists(record, c.qualifier)) await this.o.store.delete(functionName, c.qualifier);
    }
  }

  /**
   * The function and qualifier a configuration is for: `$LATEST` (unqualified), a published
   * version or an alias. AWS answers an unknown one as it answers an unknown function (LocalStack's
   * AWS-validated snapshot `put_alias_doesnotexist`).
   */
  async #existing(ref: FunctionRef): Promise<{ name: string; qualifier: string }> {
    const qualifier = ref.qualifier ?? LATEST;
    const record = await this.o.registry.get(ref.name);
    if (!record || !qualifierExists(record, qualifier)) throw notFound("The function doesn't exist.");
    return { name: record.name, qualifier };
  }

  async #checkDestinations(functionName: string, input: EventInvokeConfigInput): Promise<void> {
    const onSuccess = input.destinationConfig?.onSuccess?.destination ?? '';
    const onFailure = input.destinationConfig?.onFailure?.destination ?? '';
    const violations = [
      { member: 'destinationConfig.onSuccess.destination', value: onSuccess },
      { member: 'destinationConfig.onFailure.destination', value: onFailure },
    ]
      .filter((d) => !matchesDestinationPattern(d.value))
      .map((d) => ({
        ...d,
        constraint: `Member must satisfy regular expression pattern: ${DESTINATION_ARN_PATTERN_TEXT}`,
      }));
    if (violations.length > 0) throw validationError(violations);
    const given = [onSuccess, onFailure].filter((arn) => arn !== '');
    if (given.some((arn) => !this.o.destinations.isKnownService(arn))) {
      const part = (kind: string, arn: string) => (arn ? `${kind}(destination=${arn})` : 'null');
      throw invalidParameter(
        `The provided destination config DestinationConfig(onSuccess=${part('OnSuccess', onSuccess)}, onFailure=${part('OnFailure', onFailure)}) is invalid.`,
      );
    }
    for (const arn of given) await this.o.destinations.validate(arn, functionName);
  }

  async #store(config: EventInvokeConfig): Promise<EventInvokeConfig> {
    if (!(await this.o.store.put(config))) throw notFound("The function doesn't exist.");
    return config;
  }

  #noConfig(name: string, qualifier: string) {
    return notFound(`The function ${this.o.registry.arn(name, qualifier)} doesn't have an EventInvokeConfig`);
  }
}

function qualifierExists(record: FunctionRecord, qualifier: string): boolean {
  return (
    qualifier === LATEST ||
    record.versions.some((v) => v.version === qualifier) ||
    record.aliases.some((a) => a.name === qualifier)
  );
}

function requireSomething(input: EventInvokeConfigInput): void {
  if (
    input.maximumRetryAttempts === undefined &&
    input.maximumEventAgeInSeconds === undefined &&
    input.destinationConfig === undefined
  ) {
    throw invalidParameter('You must specify at least one of error handling or destination setting.');
  }
}

function setDestination(c: EventInvokeConfig, key: 'onSuccess' | 'onFailure', arn: string | undefined): void {
  if (arn) c[key] = arn;
  else delete c[key];
}

function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
