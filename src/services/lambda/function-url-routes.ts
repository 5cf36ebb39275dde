import { z } from 'zod';
import { awsTimestamp } from '../../domain/clock.js';
import type { CorsPolicy, FunctionUrlRecord } from '../../domain/http-triggers.js';
import { LIST_MAX_ITEMS } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionUrlService } from '../../triggers/http/function-urls.js';
import { functionRef, jsonBody, type LambdaCall, type LambdaRoute } from './lambda-call.js';
import { parseMembers } from './validation.js';

/** Constraints of the `Cors` shape in the Lambda model. */
export const CorsMember = z.strictObject({
  AllowCredentials: z.boolean().optional(),
  AllowHeaders: z.array(z.string().max(1024).regex(/^.*$/)).max(100).optional(),
  AllowMethods: z.array(z.string().max(6).regex(/^.*$/)).max(6).optional(),
  AllowOrigins: z.array(z.string().min(1).max(253).regex(/^.*$/)).max(100).optional(),
  ExposeHeaders: z.array(z.string().max(1024).regex(/^.*$/)).max(100).optional(),
  MaxAge: z.number().int().min(0).max(86_400).optional(),
});
type CorsMember = z.infer<typeof CorsMember>;

const AuthType = z.enum(['NONE', 'AWS_IAM']);
const InvokeMode = z.enum(['BUFFERED', 'RESPONSE_STREAM']);

const CreateRequest = z.strictObject({
  AuthType,
  Cors: CorsMember.optional(),
  InvokeMode: InvokeMode.optional(),
});
const UpdateRequest = z.strictObject({
  AuthType: AuthType.optional(),
  Cors: CorsMember.optional(),
  InvokeMode: InvokeMode.optional(),
});
const ListQuery = z.object({
  MaxItems: z.coerce.number().int().min(1).max(LIST_MAX_ITEMS).optional(),
  Marker: z.string().optional(),
});

export interface FunctionUrlRoutesDeps {
  urls: FunctionUrlService;
  /** `http://<id>.lambda-url.<region>.localhost:<port>/` for a URL id. */
  functionUrl: (urlId: string) => string;
  functionArn: (name: string, qualifier?: string) => string;
}

/** Create/Get/Update/Delete/ListFunctionUrlConfigs (`/2021-10-31/functions/{FunctionName}/url[s]`). */
export function addFunctionUrlRoutes(router: RestRouter<LambdaRoute>, d: FunctionUrlRoutesDeps): void {
  const path = '/2021-10-31/functions/{FunctionName}/url';
  const view = (r: FunctionUrlRecord, withModified: boolean) => ({
    FunctionUrl: d.functionUrl(r.urlId),
    FunctionArn: d.functionArn(r.functionName, r.qualifier || undefined),
    AuthType: r.authType,
    ...(r.cors ? { Cors: toMember(r.cors) } : {}),
    CreationTime: awsTimestamp(r.creationTime),
    ...(withModified ? { LastModifiedTime: awsTimestamp(r.lastModifiedTime) } : {}),
    InvokeMode: r.invokeMode,
  });
  const input = (body: z.infer<typeof UpdateRequest>) => ({
    ...(body.AuthType ? { authType: body.AuthType } : {}),
    ...(body.Cors ? { cors: fromMember(body.Cors) } : {}),
    ...(body.InvokeMode ? { invokeMode: body.InvokeMode } : {}),
  });

  router.add('POST', path, {
    operation: 'CreateFunctionUrlConfig',
    handler: async (call) => {
      const body = jsonBody(call, CreateRequest);
      const record = await d.urls.create(functionRef(call), input(body));
      return { status: 201, json: view(record, false) };
    },
  });
  router.add('GET', path, {
    operation: 'GetFunctionUrlConfig',
    handler: async (call) => ({ status: 200, json: view(await d.urls.get(functionRef(call)), true) }),
  });
  router.add('PUT', path, {
    operation: 'UpdateFunctionUrlConfig',
    handler: async (call) => {
      const body = jsonBody(call, UpdateRequest);
      return { status: 200, json: view(await d.urls.update(functionRef(call), input(body)), true) };
    },
  });
  router.add('DELETE', path, {
    operation: 'DeleteFunctionUrlConfig',
    handler: async (call) => {
      await d.urls.delete(functionRef(call));
      return { status: 204 };
    },
  });
  router.add('GET', '/2021-10-31/functions/{FunctionName}/urls', {
    operation: 'ListFunctionUrlConfigs',
    handler: async (call: LambdaCall) => {
      const q = parseMembers(ListQuery, Object.fromEntries(call.x.query));
      const page = await d.urls.list(
        functionRef(call, { qualifierParam: false }),
        q.Marker,
        q.MaxItems ?? LIST_MAX_ITEMS,
      );
      return {
        status: 200,
        json: {
          FunctionUrlConfigs: page.records.map((r) => view(r, true)),
          ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
        },
      };
    },
  });
}

function toMember(c: CorsPolicy): CorsMember {
  return {
    ...(c.allowCredentials !== undefined ? { AllowCredentials: c.allowCredentials } : {}),
    ...(c.allowHeaders ? { AllowHeaders: c.allowHeaders } : {}),
    ...(c.allowMethods ? { AllowMethods: c.allowMethods } : {}),
    ...(c.allowOrigins ? { AllowOrigins: c.allowOrigins } : {}),
    ...(c.exposeHeaders ? { ExposeHeaders: c.exposeHeaders } : {}),
    ...(c.maxAge !== undefined ? { MaxAge: c.maxAge } : {}),
  };
}

function fromMember(c: CorsMember): CorsPolicy {
  return {
    ...(c.AllowCredentials !== undefined ? { allowCredentials: c.AllowCredentials } : {}),
    ...(c.AllowHeaders ? { allowHeaders: c.AllowHeaders } : {}),
    ...(c.AllowMethods ? { allowMethods: c.AllowMethods } : {}),
    ...(c.AllowOrigins ? { allowOrigins: c.AllowOrigins } : {}),
    ...(c.ExposeHeaders ? { exposeHeaders: c.ExposeHeaders } : {}),
    ...(c.MaxAge !== undefined ? { maxAge: c.MaxAge } : {}),
  };
}
