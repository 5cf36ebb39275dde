import { z } from 'zod';

/**
 * Request members of the API Gateway v2 operations Nimbus serves (camelCase, as on the wire).
 * Members the model defines that Nimbus does not act on are accepted and ignored, so IaC tools
 * that send them keep working.
 */
const Tags = z.record(z.string().min(1).max(128), z.string().max(256));
const StageVariables = z.record(z.string(), z.string());

export const CorsConfiguration = z.object({
  allowCredentials: z.boolean().optional(),
  allowHeaders: z.array(z.string()).max(100).optional(),
  allowMethods: z.array(z.string()).max(100).optional(),
  allowOrigins: z.array(z.string()).max(100).optional(),
  exposeHeaders: z.array(z.string()).max(100).optional(),
  maxAge: z.number().int().optional(),
});

export const CreateApiRequest = z.object({
  name: z.string().min(1).max(128),
  protocolType: z.enum(['HTTP', 'WEBSOCKET']),
  description: z.string().max(1024).optional(),
  corsConfiguration: CorsConfiguration.optional(),
  version: z.string().max(64).optional(),
  disableExecuteApiEndpoint: z.boolean().optional(),
  tags: Tags.optional(),
  target: z.string().optional(),
  routeKey: z.string().optional(),
});

export const UpdateApiRequest = z.object({
  name: z.string().min(1).max(128).optional(),
  description: z.string().max(1024).optional(),
  corsConfiguration: CorsConfiguration.optional(),
  version: z.string().max(64).optional(),
  disableExecuteApiEndpoint: z.boolean().optional(),
});

export const CreateRouteRequest = z.object({
  routeKey: z.string().min(1),
  target: z.string().optional(),
  authorizationType: z.enum(['NONE']).optional(),
});

export const UpdateRouteRequest = z.object({
  routeKey: z.string().min(1).optional(),
  target: z.string().optional(),
  authorizationType: z.enum(['NONE']).optional(),
});

export const IntegrationRequest = z.object({
  integrationType: z.enum(['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY']).optional(),
  integrationUri: z.string().optional(),
  payloadFormatVersion: z.string().optional(),
  timeoutInMillis: z.number().int().optional(),
  integrationMethod: z.string().optional(),
  description: z.string().max(1024).optional(),
});

export const CreateStageRequest = z.object({
  stageName: z.string().min(1),
  autoDeploy: z.boolean().optional(),
  description: z.string().max(1024).optional(),
  stageVariables: StageVariables.optional(),
  tags: Tags.optional(),
});

export const UpdateStageRequest = z.object({
  autoDeploy: z.boolean().optional(),
  description: z.string().max(1024).optional(),
  stageVariables: StageVariables.optional(),
});

export const ListQuery = z.object({
  maxResults: z.coerce.number().int().min(1).max(500).optional(),
  nextToken: z.string().optional(),
});
