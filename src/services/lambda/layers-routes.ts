import type { AccountScope } from '../../domain/arn.js';
import { awsTimestamp } from '../../domain/clock.js';
import { invalidParameter, notFound, validationError } from '../../domain/errors.js';
import { type LayerVersion, layerArn, layerVersionArn, parseLayerName } from '../../domain/layer.js';
import { CODE_REQUEST_MAX_BYTES, LIST_MAX_ITEMS } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { LayerRegistry } from '../../registry/layer-registry.js';
import type { CodeLinks } from '../code-links.js';
import { codeFrom, type ObjectReader } from './code-source.js';
import { jsonBody, type LambdaCall, type LambdaRoute } from './lambda-call.js';
import { decodeMarker, encodeMarker } from './list-markers.js';
import { LayerListQuery, PublishLayerVersionRequest } from './schemas.js';
import { parseMembers } from './validation.js';

export interface LayersRoutesDeps {
  layers: LayerRegistry;
  codeLinks: CodeLinks;
  scope: AccountScope;
  /** Content from `S3Bucket`/`S3Key`, once the S3 feature is installed. */
  readObject?: () => ObjectReader | undefined;
}

/**
 * PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn (`?find=LayerVersion&Arn=`),
 * ListLayers, ListLayerVersions, DeleteLayerVersion (`/2018-10-31/layers...`).
 */
export function addLayerRoutes(router: RestRouter<LambdaRoute>, d: LayersRoutesDeps): void {
  const { layers, scope } = d;
  const base = (call: LambdaCall) => `http://${call.x.req.headers.host ?? 'localhost'}`;
  const listItem = (l: LayerVersion) => ({
    LayerVersionArn: layerVersionArn(scope, l.layerName, l.version),
    Version: l.version,
    Description: l.description,
    CreatedDate: awsTimestamp(l.createdAt),
    CompatibleRuntimes: l.compatibleRuntimes,
    ...(l.licenseInfo === undefined ? {} : { LicenseInfo: l.licenseInfo }),
    CompatibleArchitectures: l.compatibleArchitectures,
  });
  const full = (call: LambdaCall, l: LayerVersion) => ({
    Content: {
      Location: d.codeLinks.url(base(call), l.code.blobKey),
      CodeSha256: l.code.sha256,
      CodeSize: l.code.size,
    },
    LayerArn: layerArn(scope, l.layerName),
    ...listItem(l),
  });
  const nameOf = (call: LambdaCall) => parseLayerName(scope, call.params.LayerName ?? '');

  router.add('POST', '/2018-10-31/layers/{LayerName}/versions', {
    operation: 'PublishLayerVersion',
    maxBodyBytes: CODE_REQUEST_MAX_BYTES,
    handler: async (call) => {
      const r = jsonBody(call, PublishLayerVersionRequest);
      const name = nameOf(call);
      if (name === undefined)
        throw invalidParameter('Layers can only be published in the caller’s own account.');
      const layer = await layers.publish(name, {
        zip: await codeFrom(r.Content, d.readObject?.()),
        ...(r.Description === undefined ? {} : { description: r.Description }),
        ...(r.CompatibleRuntimes ? { compatibleRuntimes: r.CompatibleRuntimes } : {}),
        ...(r.CompatibleArchitectures ? { compatibleArchitectures: r.CompatibleArchitectures } : {}),
        ...(r.LicenseInfo === undefined ? {} : { licenseInfo: r.LicenseInfo }),
      });
      return { status: 201, json: full(call, layer) };
    },
  });

  router.add('GET', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', {
    operation: 'GetLayerVersion',
    handler: async (call) => ({
      status: 200,
      json: full(call, await layers.get(nameOf(call), versionNumber(call))),
    }),
  });

  router.add('DELETE', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', {
    operation: 'DeleteLayerVersion',
    handler: async (call) => {
      await layers.delete(nameOf(call), versionNumber(call));
      return { status: 204 };
    },
  });

  router.add('GET', '/2018-10-31/layers/{LayerName}/versions', {
    operation: 'ListLayerVersions',
    handler: async (call) => {
      const q = parseMembers(LayerListQuery, Object.fromEntries(call.x.query));
      const max = q.MaxItems ?? LIST_MAX_ITEMS;
      const before = q.Marker ? decodeNumber(q.Marker) : undefined;
      const page = await layers.listVersions(nameOf(call), before, max + 1, filter(q));
      const items = page.slice(0, max);
      return {
        status: 200,
        json: {
          LayerVersions: items.map(listItem),
          ...(page.length > max
            ? { NextMarker: encodeMarker(String(items[items.length - 1]!.version)) }
            : {}),
        },
      };
    },
  });

  router.add('GET', '/2018-10-31/layers', {
    operation: 'ListLayers',
    handler: async (call) => {
      if (call.x.query.get('find') === 'LayerVersion') {
        const arn = call.x.query.get('Arn');
        if (!arn)
          throw validationError([{ member: 'arn', value: null, constraint: 'Member must not be null' }]);
        return { status: 200, json: full(call, await layers.getByArn(arn)) };
      }
      const q = parseMembers(LayerListQuery, Object.fromEntries(call.x.query));
      const max = q.MaxItems ?? LIST_MAX_ITEMS;
      const after = q.Marker ? decodeMarker(q.Marker) : undefined;
      const page = await layers.listLayers(after, max + 1, filter(q));
      const items = page.slice(0, max);
      return {
        status: 200,
        json: {
          Layers: items.map((l) => ({
            LayerName: l.layerName,
            LayerArn: layerArn(scope, l.layerName),
            LatestMatchingVersion: listItem(l),
          })),
          ...(page.length > max ? { NextMarker: encodeMarker(items[items.length - 1]!.layerName) } : {}),
        },
      };
    },
  });
}

function filter(q: { CompatibleRuntime?: string | undefined; CompatibleArchitecture?: string | undefined }) {
  return {
    ...(q.CompatibleRuntime ? { compatibleRuntime: q.CompatibleRuntime } : {}),
    ...(q.CompatibleArchitecture ? { compatibleArchitecture: q.CompatibleArchitecture } : {}),
  };
}

function versionNumber(call: LambdaCall): number {
  const raw = call.params.VersionNumber ?? '';
  if (!/^[0-9]{1,15}$/.test(raw)) throw notFound('The resource you requested does not exist.');
  return Number(raw);
}

function decodeNumber(marker: string): number {
  return Number(decodeMarker(marker, /^[0-9]+$/));
}
