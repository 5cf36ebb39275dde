import type { CodeStore } from '../artifacts/code-store.js';
import { mergeLayers } from '../artifacts/opt-image.js';
import type { AccountScope } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import { invalidParameter, notFound } from '../domain/errors.js';
import type { LayerRef } from '../domain/function.js';
import { type LayerVersion, layerVersionArn, parseLayerVersionArn } from '../domain/layer.js';
import { LAYERS_MAX } from '../domain/limits.js';
import type { CodeReferences, LayerStore } from '../store/ports.js';

export interface PublishLayerInput {
  zip: Buffer;
  description?: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
}

export interface ListFilter {
  compatibleRuntime?: string;
  compatibleArchitecture?: string;
}

/** What a function's layer list resolves to: references in order and the merged `/opt` image. */
export interface ResolvedLayers {
  refs: LayerRef[];
  optImageKey?: string;
  unzippedSize: number;
}

const LAYER_NOT_FOUND = 'The resource you requested does not exist.';

/** The layer control plane: publish, read, list and delete layer versions; resolve a function's layers. */
export class LayerRegistry {
  constructor(
    private readonly store: LayerStore,
    private readonly code: CodeStore,
    private readonly clock: Clock,
    readonly scope: AccountScope,
    private readonly workDir: string,
  ) {}

  async publish(name: string, input: PublishLayerInput): Promise<LayerVersion> {
    const code = await this.code.ingestZip(input.zip);
    return this.store.publish(name, (version) => ({
      layerName: name,
      version,
      description: input.description ?? '',
      compatibleRuntimes: input.compatibleRuntimes ?? [],
      compatibleArchitectures: input.compatibleArchitectures ?? [],
      ...(input.licenseInfo === undefined ? {} : { licenseInfo: input.licenseInfo }),
      createdAt: this.clock.now(),
      code,
    }));
  }

  async get(name: string | undefined, version: number): Promise<LayerVersion> {
    const layer = name === undefined ? undefined : await this.store.get(name, version);
    if (!layer) throw notFound(LAYER_NOT_FOUND);
    return layer;
  }

  async getByArn(arn: string): Promise<LayerVersion> {
    const parsed = parseLayerVersionArn(this.scope, arn);
    if (!parsed?.local) throw notFound(LAYER_NOT_FOUND);
    return this.get(parsed.name, parsed.version);
  }

  /** Versions newest first; `beforeVersion` is the paging marker. */
  async listVersions(
    name: string | undefined,
    beforeVersion: number | undefined,
    limit: number,
    f: ListFilter,
  ) {
    if (name === undefined) return [];
    const out: LayerVersion[] = [];
    let before = beforeVersion;
    for (;;) {
      const page = await this.store.versions(name, {
        ...(before === undefined ? {} : { beforeVersion: before }),
        limit,
      });
      out.push(...page.filter((l) => matches(l, f)));
      if (out.length >= limit || page.length < limit) return out.slice(0, limit);
      before = page[page.length - 1]!.version;
    }
  }

  /** Each layer with its newest version (matching the filter), by name. */
  async listLayers(afterName: string | undefined, limit: number, f: ListFilter) {
    const latest = await this.store.latestVersions({
      ...(afterName === undefined ? {} : { afterName }),
      limit,
    });
    if (!f.compatibleRuntime && !f.compatibleArchitecture) return latest;
    const out: LayerVersion[] = [];
    for (const l of latest) {
      const [match] = await this.listVersions(l.layerName, undefined, 1, f);
      if (match) out.push(match);
    }
    return out;
  }

  async delete(name: string | undefined, version: number): Promise<void> {
    if (name !== undefined) await this.store.delete(name, version);
  }

  async referencedCode(): Promise<CodeReferences> {
    return this.store.referencedCode();
  }

  /**
   * Resolves a function's `Layers` (in order) for its runtime and architecture. A layer version
   * the function already used (`current`) stays usable after it was deleted, as on Lambda.
   */
  async resolve(
    arns: readonly string[],
    runtime: string,
    architecture: string,
    current: readonly LayerRef[] = [],
  ): Promise<ResolvedLayers> {
    if (arns.length > LAYERS_MAX) throw invalidParameter(`Cannot reference more than ${LAYERS_MAX} layers.`);
    const seen = new Set<string>();
    const refs: LayerRef[] = [];
    for (const arn of arns) {
      const parsed = parseLayerVersionArn(this.scope, arn);
      const layerArn = arn.replace(/:[0-9]+$/, '');
      if (seen.has(layerArn)) {
        throw invalidParameter(`Two different versions of the same layer ${layerArn} cannot be used.`);
      }
      seen.add(layerArn);
      const kept = current.find((r) => r.arn === arn);
      if (kept) {
        refs.push(kept);
        continue;
      }
      const layer = parsed?.local ? await this.store.get(parsed.name, parsed.version) : undefined;
      if (!layer) throw invalidParameter(`Layer version ${arn} does not exist.`);
      checkCompatible(layer, arn, runtime, architecture);
      refs.push({
        arn: layerVersionArn(this.scope, layer.layerName, layer.version),
        codeSize: layer.code.size,
        unzippedSize: layer.code.unzippedSize,
        blobKey: layer.code.blobKey,
        imageKey: layer.code.imageKey,
      });
    }
    const unzippedSize = refs.reduce((n, r) => n + r.unzippedSize, 0);
    if (refs.length === 0) return { refs, unzippedSize };
    const optImageKey = await mergeLayers(
      this.code,
      this.workDir,
      refs.map((r) => r.imageKey),
    );
    return { refs, optImageKey, unzippedSize };
  }
}

function matches(l: LayerVersion, f: ListFilter): boolean {
  if (f.compatibleRuntime && !l.compatibleRuntimes.includes(f.compatibleRuntime)) return false;
  if (f.compatibleArchitecture && !l.compatibleArchitectures.includes(f.compatibleArchitecture)) return false;
  return true;
}

/** Empty compatibility lists mean "any", as on Lambda. */
function checkCompatible(layer: LayerVersion, arn: string, runtime: string, architecture: string): void {
  if (layer.compatibleRuntimes.length > 0 && !layer.compatibleRuntimes.includes(runtime)) {
    throw invalidParameter(
      `Layer version ${arn} is not compatible with runtime ${runtime}; its compatible runtimes are ${layer.compatibleRuntimes.join(', ')}.`,
    );
  }
  if (layer.compatibleArchitectures.length > 0 && !layer.compatibleArchitectures.includes(architecture)) {
    throw invalidParameter(
      `Layer version ${arn} is not compatible with architecture ${architecture}; its compatible architectures are ${layer.compatibleArchitectures.join(', ')}.`,
    );
  }
}
