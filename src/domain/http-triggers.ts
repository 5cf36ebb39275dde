import { z } from 'zod';

/**
 * The HTTP triggers' records (function URLs, HTTP APIs with their routes, integrations and
 * stages), with the zod schemas that check them when read back from the store.
 */

export const CorsPolicySchema = z.object({
  allowCredentials: z.boolean().optional(),
  allowHeaders: z.array(z.string()).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowOrigins: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: z.number().int().optional(),
});
export type CorsPolicy = z.infer<typeof CorsPolicySchema>;

export const FunctionUrlRecordSchema = z.object({
  urlId: z.string(),
  functionName: z.string(),
  /** `''` for the unqualified function (the only form until aliases exist). */
  qualifier: z.string(),
  authType: z.enum(['NONE', 'AWS_IAM']),
  cors: CorsPolicySchema.optional(),
  invokeMode: z.enum(['BUFFERED', 'RESPONSE_STREAM']),
  creationTime: z.number(),
  lastModifiedTime: z.number(),
});
export type FunctionUrlRecord = z.infer<typeof FunctionUrlRecordSchema>;

export const HttpApiRecordSchema = z.object({
  apiId: z.string(),
  name: z.string(),
  protocolType: z.literal('HTTP'),
  description: z.string().optional(),
  cors: CorsPolicySchema.optional(),
  routeSelectionExpression: z.string(),
  apiKeySelectionExpression: z.string(),
  version: z.string().optional(),
  disableExecuteApiEndpoint: z.boolean(),
  tags: z.record(z.string(), z.string()),
  createdDate: z.number(),
});
export type HttpApiRecord = z.infer<typeof HttpApiRecordSchema>;

export const HttpRouteRecordSchema = z.object({
  routeId: z.string(),
  routeKey: z.string(),
  /** `integrations/<integrationId>` */
  target: z.string().optional(),
  authorizationType: z.string(),
});
export type HttpRouteRecord = z.infer<typeof HttpRouteRecordSchema>;

export const HttpIntegrationRecordSchema = z.object({
  integrationId: z.string(),
  integrationType: z.literal('AWS_PROXY'),
  /** A Lambda function ARN, or the `arn:aws:apigateway:...:lambda:path/.../invocations` form. */
  integrationUri: z.string(),
  payloadFormatVersion: z.enum(['1.0', '2.0']),
  timeoutInMillis: z.number().int(),
  integrationMethod: z.string().optional(),
  description: z.string().optional(),
});
export type HttpIntegrationRecord = z.infer<typeof HttpIntegrationRecordSchema>;

export const HttpStageRecordSchema = z.object({
  stageName: z.string(),
  autoDeploy: z.boolean(),
  description: z.string().optional(),
  stageVariables: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  createdDate: z.number(),
  lastUpdatedDate: z.number(),
});
export type HttpStageRecord = z.infer<typeof HttpStageRecordSchema>;

/** Everything stored about one HTTP API. */
export interface HttpApiSnapshot {
  api: HttpApiRecord;
  routes: HttpRouteRecord[];
  integrations: HttpIntegrationRecord[];
  stages: HttpStageRecord[];
}

/** HTTP API integrations time out after 30 s at most (API Gateway quota). */
export const HTTP_API_INTEGRATION_TIMEOUT_MAX_MS = 30_000;
export const HTTP_API_INTEGRATION_TIMEOUT_MIN_MS = 50;
