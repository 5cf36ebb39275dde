import { createHash } from 'node:crypto';
import type { AccountScope } from '../../domain/arn.js';
import { parseFunctionRef } from '../../domain/arn.js';
import { invalidParameter, validationError } from '../../domain/errors.js';
import type { FunctionConfigPatch } from '../../domain/function.js';
import { CODE_REQUEST_MAX_BYTES, LIST_MAX_ITEMS } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import type { CodeLinks } from '../code-links.js';
import { codeFrom, type ObjectReader } from './code-source.js';
import { renderFunctionConfiguration } from './function-configuration.js';
import { functionRef, jsonBody, type LambdaRoute } from './lambda-call.js';
import { decodeMarker, encodeMarker } from './list-markers.js';
import {
  CreateFunctionRequest,
  ListMaxItems,
  UpdateFunctionCodeRequest,
  UpdateFunctionConfigurationRequest,
} from './schemas.js';
import { parseMembers } from './validation.js';

export interface FunctionsRoutesDeps {
  registry: FunctionRegistry;
  codeLinks: CodeLinks;
  scope: AccountScope;
  /** Code from `S3Bucket`/`S3Key`: the object store's reader, once the S3 feature is installed. */
  readObject?: () => ObjectReader | undefined;
  /** Reserved concurrency of a function, for GetFunction's `Concurrency` member. */
  reservedConcurrency?: (functionName: string) => number | undefined;
  /** Refuses a `DeadLetterConfig.TargetArn` nothing can deliver to (the async feature's destinations). */
  checkDeadLetterTarget?: (arn: string) => Promise<void>;
}

/** CreateFunction, GetFunction(Configuration), ListFunctions, Update*, DeleteFunction. */
export function addFunctionRoutes(router: RestRouter<LambdaRoute>, d: FunctionsRoutesDeps): void {
  const { registry, scope } = d;
  const render = (v: Parameters<typeof renderFunctionConfiguration>[1]) =>
    renderFunctionConfiguration(scope, v);

  router.add('POST', '/2015-03-31/functions', {
    operation: 'CreateFunction',
    maxBodyBytes: CODE_REQUEST_MAX_BYTES,
    handler: async (call) => {
      const r = jsonBody(call, CreateFunctionRequest);
      const ref = parseFunctionRef(scope, r.FunctionName);
      if (ref.qualifier !== undefined) {
        throw invalidParameter('A function name with a qualifier cannot be used to create a function.');
      }
      if (r.PackageType === 'Image' || r.Code.ImageUri) {
        throw invalidParameter(
          'Nimbus runs .zip deployment packages only; PackageType Image is not supported.',
        );
      }
      if (!r.Runtime || !r.Handler) {
        throw invalidParameter(
          'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
        );
      }
      if (r.DeadLetterConfig?.TargetArn) await d.checkDeadLetterTarget?.(r.DeadLetterConfig.TargetArn);
      const created = await registry.create({
        name: ref.name,
        runtime: r.Runtime,
        handler: r.Handler,
        role: r.Role,
        zip: await codeFrom(r.Code, d.readObject?.()),
        ...defined({
          description: r.Description,
          timeout: r.Timeout,
          memorySize: r.MemorySize,
          environment: r.Environment?.Variables,
          architectures: r.Architectures,
          ephemeralStorageMb: r.EphemeralStorage?.Size,
          tracingMode: r.TracingConfig?.Mode,
          deadLetterTargetArn: r.DeadLetterConfig?.TargetArn || undefined,
          tags: r.Tags,
          layers: r.Layers,
          publish: r.Publish,
          loggingConfig: r.LoggingConfig && {
            ...defined({
              logFormat: r.LoggingConfig.LogFormat,
              applicationLogLevel: r.LoggingConfig.ApplicationLogLevel,
              systemLogLevel: r.LoggingConfig.SystemLogLevel,
              logGroup: r.LoggingConfig.LogGroup,
            }),
          },
        }),
      });
      return { status: 201, json: render(created) };
    },
  });

  const list: LambdaRoute = {
    operation: 'ListFunctions',
    handler: async (call) => {
      const maxItems = call.x.query.has('MaxItems')
        ? Math.min(parseMembers(ListMaxItems, call.x.query.get('MaxItems')), LIST_MAX_ITEMS)
        : LIST_MAX_ITEMS;
      const marker = call.x.query.get('Marker');
      const after = marker ? decodeMarker(marker) : undefined;
      const all = call.x.query.get('FunctionVersion');
      if (all !== null && all !== 'ALL') {
        throw validationError([
          { member: 'functionVersion', value: all, constraint: 'Member must satisfy enum value set: [ALL]' },
        ]);
      }
      const page = await registry.list(after, maxItems + 1);
      const items = page.slice(0, maxItems);
      const more = page.length > maxItems;
      // FunctionVersion=ALL lists every version of each function (qualified ARNs), not just $LATEST.
      const versions = items.flatMap((f) => (all ? [f.latest, ...f.versions] : [f.latest]));
      return {
        status: 200,
        json: {
          Functions: versions.map((v) =>
            renderFunctionConfiguration(scope, v, { forList: true, qualifyLatest: all !== null }),
          ),
          ...(more ? { NextMarker: encodeMarker(items[items.length - 1]!.name) } : {}),
        },
      };
    },
  };
  router.add('GET', '/2015-03-31/functions', list);

  router.add('GET', '/2015-03-31/functions/{FunctionName}', {
    operation: 'GetFunction',
    handler: async (call) => {
      const ref = functionRef(call);
      const { record, version, alias } = await registry.requireVersion(ref);
      const base = `http://${call.x.req.headers.host ?? 'localhost'}`;
      const code = version.pendingCode ?? version.code;
      const reserved = d.reservedConcurrency?.(record.name);
      return {
        status: 200,
        json: {
          Configuration: renderFunctionConfiguration(
            scope,
            version,
            alias ? { arnQualifier: alias.name } : {},
          ),
          Code: { RepositoryType: 'S3', Location: d.codeLinks.url(base, code.blobKey) },
          ...(Object.keys(record.tags).length > 0 ? { Tags: record.tags } : {}),
          ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
        },
      };
    },
  });

  router.add('GET', '/2015-03-31/functions/{FunctionName}/configuration', {
    operation: 'GetFunctionConfiguration',
    handler: async (call) => {
      const { version, alias } = await registry.requireVersion(functionRef(call));
      return {
        status: 200,
        json: renderFunctionConfiguration(scope, version, alias ? { arnQualifier: alias.name } : {}),
      };
    },
  });

  router.add('PUT', '/2015-03-31/functions/{FunctionName}/configuration', {
    operation: 'UpdateFunctionConfiguration',
    handler: async (call) => {
      const r = jsonBody(call, UpdateFunctionConfigurationRequest);
      const patch: FunctionConfigPatch = defined({
        role: r.Role,
        handler: r.Handler,
        description: r.Description,
        timeout: r.Timeout,
        memorySize: r.MemorySize,
        runtime: r.Runtime,
        environment: r.Environment ? (r.Environment.Variables ?? {}) : undefined,
        ephemeralStorageMb: r.EphemeralStorage?.Size,
        tracingMode: r.TracingConfig?.Mode,
        deadLetterTargetArn: r.DeadLetterConfig ? (r.DeadLetterConfig.TargetArn ?? '') : undefined,
        layers: r.Layers,
      });
      if (r.LoggingConfig) {
        patch.loggingConfig = defined({
          logFormat: r.LoggingConfig.LogFormat,
          applicationLogLevel: r.LoggingConfig.ApplicationLogLevel,
          systemLogLevel: r.LoggingConfig.SystemLogLevel,
          logGroup: r.LoggingConfig.LogGroup,
        }) as FunctionConfigPatch['loggingConfig'];
      }
      if (patch.deadLetterTargetArn) await d.checkDeadLetterTarget?.(patch.deadLetterTargetArn);
      const updated = await registry.updateConfiguration(functionRef(call, {}), patch, r.RevisionId);
      return { status: 200, json: render(updated) };
    },
  });

  router.add('PUT', '/2015-03-31/functions/{FunctionName}/code', {
    operation: 'UpdateFunctionCode',
    maxBodyBytes: CODE_REQUEST_MAX_BYTES,
    handler: async (call) => {
      const r = jsonBody(call, UpdateFunctionCodeRequest);
      if (r.ImageUri)
        throw invalidParameter('Nimbus runs .zip deployment packages only; ImageUri is not supported.');
      const zip = await codeFrom(r, d.readObject?.());
      const ref = functionRef(call, {});
      if (r.DryRun) {
        const { version } = await registry.requireVersion(ref);
        const sha256 = createHash('sha256').update(zip).digest('base64');
        return { status: 200, json: { ...render(version), CodeSha256: sha256, CodeSize: zip.length } };
      }
      const updated = await registry.updateCode(ref, zip, {
        ...defined({ revisionId: r.RevisionId, architectures: r.Architectures, publish: r.Publish }),
      });
      return { status: 200, json: render(updated) };
    },
  });

  router.add('DELETE', '/2015-03-31/functions/{FunctionName}', {
    operation: 'DeleteFunction',
    handler: async (call) => {
      await registry.delete(functionRef(call));
      return { status: 204 };
    },
  });
}

/** Drops undefined members so optional fields stay absent. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
