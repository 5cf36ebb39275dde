import { type AccountScope, functionArn, parseFunctionRef } from '../../domain/arn.js';
import { invalidParameter, validationError } from '../../domain/errors.js';
import type { Alias } from '../../domain/function.js';
import { LIST_MAX_ITEMS } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import { renderFunctionConfiguration } from './function-configuration.js';
import { functionRef, jsonBody, type LambdaCall, type LambdaRoute } from './lambda-call.js';
import { pageAfter } from './list-markers.js';
import {
  AliasName,
  CreateAliasRequest,
  ListVersionQuery,
  PublishVersionRequest,
  UpdateAliasRequest,
} from './schemas.js';
import { parseMembers } from './validation.js';

export interface VersionsRoutesDeps {
  registry: FunctionRegistry;
  scope: AccountScope;
}

/** PublishVersion, ListVersionsByFunction and the alias operations. */
export function addVersionRoutes(router: RestRouter<LambdaRoute>, d: VersionsRoutesDeps): void {
  const { registry, scope } = d;
  const fnName = (call: LambdaCall) => {
    const ref = parseFunctionRef(scope, call.params.FunctionName ?? '');
    if (ref.qualifier !== undefined) {
      throw invalidParameter(`Unsupported function name: ${call.params.FunctionName}`);
    }
    return ref.name;
  };
  const renderAlias = (fn: string, a: Alias) => ({
    AliasArn: functionArn(scope, fn, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(Object.keys(a.additionalVersionWeights).length > 0
      ? { RoutingConfig: { AdditionalVersionWeights: a.additionalVersionWeights } }
      : {}),
    RevisionId: a.revisionId,
  });

  router.add('POST', '/2015-03-31/functions/{FunctionName}/versions', {
    operation: 'PublishVersion',
    handler: async (call) => {
      const r = jsonBody(call, PublishVersionRequest);
      const v = await registry.publishVersion(functionRef(call, {}), {
        ...(r.CodeSha256 ? { codeSha256: r.CodeSha256 } : {}),
        ...(r.Description === undefined ? {} : { description: r.Description }),
        ...(r.RevisionId === undefined ? {} : { revisionId: r.RevisionId }),
      });
      return { status: 201, json: renderFunctionConfiguration(scope, v) };
    },
  });

  router.add('GET', '/2015-03-31/functions/{FunctionName}/versions', {
    operation: 'ListVersionsByFunction',
    handler: async (call) => {
      const q = parseMembers(ListVersionQuery, Object.fromEntries(call.x.query));
      const all = await registry.listVersions(fnName(call));
      const { page, nextMarker } = pageAfter(all, (v) => v.version, q.Marker, listMax(q.MaxItems));
      return {
        status: 200,
        json: {
          Versions: page.map((v) => renderFunctionConfiguration(scope, v, { qualifyLatest: true })),
          ...(nextMarker ? { NextMarker: nextMarker } : {}),
        },
      };
    },
  });

  router.add('POST', '/2015-03-31/functions/{FunctionName}/aliases', {
    operation: 'CreateAlias',
    handler: async (call) => {
      const r = jsonBody(call, CreateAliasRequest);
      const fn = fnName(call);
      const weights = routingWeights(r.RoutingConfig);
      const alias = await registry.createAlias(fn, r.Name, {
        functionVersion: r.FunctionVersion,
        ...(r.Description === undefined ? {} : { description: r.Description }),
        ...(weights ? { weights } : {}),
      });
      return { status: 201, json: renderAlias(fn, alias) };
    },
  });

  router.add('GET', '/2015-03-31/functions/{FunctionName}/aliases', {
    operation: 'ListAliases',
    handler: async (call) => {
      const q = parseMembers(ListVersionQuery, Object.fromEntries(call.x.query));
      const fn = fnName(call);
      const all = await registry.listAliases(fn, q.FunctionVersion);
      const { page, nextMarker } = pageAfter(all, (a) => a.name, q.Marker, listMax(q.MaxItems));
      return {
        status: 200,
        json: {
          Aliases: page.map((a) => renderAlias(fn, a)),
          ...(nextMarker ? { NextMarker: nextMarker } : {}),
        },
      };
    },
  });

  router.add('GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', {
    operation: 'GetAlias',
    handler: async (call) => {
      const fn = fnName(call);
      return { status: 200, json: renderAlias(fn, await registry.getAlias(fn, aliasName(call))) };
    },
  });

  router.add('PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', {
    operation: 'UpdateAlias',
    handler: async (call) => {
      const r = jsonBody(call, UpdateAliasRequest);
      const fn = fnName(call);
      const weights = routingWeights(r.RoutingConfig);
      const alias = await registry.updateAlias(
        fn,
        aliasName(call),
        {
          ...(r.FunctionVersion === undefined ? {} : { functionVersion: r.FunctionVersion }),
          ...(r.Description === undefined ? {} : { description: r.Description }),
          // `RoutingConfig: {}` (or empty weights) removes routing.
          ...(r.RoutingConfig ? { weights: weights ?? {} } : {}),
        },
        r.RevisionId,
      );
      return { status: 200, json: renderAlias(fn, alias) };
    },
  });

  router.add('DELETE', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', {
    operation: 'DeleteAlias',
    handler: async (call) => {
      await registry.deleteAlias(fnName(call), aliasName(call));
      return { status: 204 };
    },
  });
}

function aliasName(call: LambdaCall): string {
  return parseMembers(AliasName, call.params.Name ?? '');
}

/**
 * `AdditionalVersionWeights`: version numbers to weights in [0.0, 1.0]. Violations are worded as
 * AWS's validation layer words map constraints.
 */
function routingWeights(
  config: { AdditionalVersionWeights?: Record<string, number> | undefined } | undefined,
): Record<string, number> | undefined {
  const weights = config?.AdditionalVersionWeights;
  if (!weights) return undefined;
  const member = 'routingConfig.additionalVersionWeights';
  const shown = `{${Object.entries(weights)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
  for (const key of Object.keys(weights)) {
    if (!/^[0-9]+$/.test(key) || key.length > 1024) {
      throw validationError([
        {
          member,
          value: shown,
          constraint:
            'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]',
        },
      ]);
    }
  }
  for (const w of Object.values(weights)) {
    if (!(w >= 0 && w <= 1)) {
      throw validationError([
        {
          member,
          value: shown,
          constraint:
            w > 1
              ? 'Map value must satisfy constraint: [Member must have value less than or equal to 1.0]'
              : 'Map value must satisfy constraint: [Member must have value greater than or equal to 0.0]',
        },
      ]);
    }
  }
  return weights;
}

function listMax(maxItems: number | undefined): number {
  return Math.min(maxItems ?? LIST_MAX_ITEMS, LIST_MAX_ITEMS);
}
