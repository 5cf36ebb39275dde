import { badRequest } from '../../domain/apigateway-errors.js';
import { type AccountScope, type FunctionRef, parseFunctionRef } from '../../domain/arn.js';
import {
  type CorsPolicy,
  HTTP_API_INTEGRATION_TIMEOUT_MAX_MS,
  HTTP_API_INTEGRATION_TIMEOUT_MIN_MS,
  type HttpIntegrationRecord,
} from '../../domain/http-triggers.js';
import { parseRouteKey } from './route-key.js';

/**
 * The rules HTTP API resources must follow beyond their request shapes: route keys, integrations
 * (AWS_PROXY to a Lambda function, payload format, timeout), CORS and stage variables. Each
 * failure is a BadRequestException worded for the caller.
 */

export interface IntegrationInput {
  integrationType?: string;
  integrationUri?: string;
  payloadFormatVersion?: string;
  timeoutInMillis?: number;
  integrationMethod?: string;
  description?: string;
}

const STAGE_VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{0,2048}$/;

export function integrationRecord(
  scope: AccountScope,
  integrationId: string,
  input: IntegrationInput,
): HttpIntegrationRecord {
  if (input.integrationType !== 'AWS_PROXY') {
    throw badRequest(
      `Unsupported integration type: ${input.integrationType}. Nimbus supports AWS_PROXY integrations with Lambda functions.`,
    );
  }
  if (input.integrationUri === undefined)
    throw badRequest('IntegrationUri is required for AWS_PROXY integrations.');
  functionOfIntegration(scope, input.integrationUri);
  const version = input.payloadFormatVersion;
  if (version === undefined) {
    throw badRequest('PayloadFormatVersion is required for AWS_PROXY integrations; use 1.0 or 2.0.');
  }
  if (version !== '1.0' && version !== '2.0') {
    throw badRequest(`Invalid payload format version: ${version}. Supported values are 1.0 and 2.0.`);
  }
  const timeout = input.timeoutInMillis ?? HTTP_API_INTEGRATION_TIMEOUT_MAX_MS;
  if (
    !Number.isInteger(timeout) ||
    timeout < HTTP_API_INTEGRATION_TIMEOUT_MIN_MS ||
    timeout > HTTP_API_INTEGRATION_TIMEOUT_MAX_MS
  ) {
    throw badRequest(
      `Timeout must be between ${HTTP_API_INTEGRATION_TIMEOUT_MIN_MS} milliseconds and ${HTTP_API_INTEGRATION_TIMEOUT_MAX_MS} milliseconds.`,
    );
  }
  return {
    integrationId,
    integrationType: 'AWS_PROXY',
    integrationUri: input.integrationUri,
    payloadFormatVersion: version,
    timeoutInMillis: timeout,
    integrationMethod: input.integrationMethod ?? 'POST',
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}

/** The Lambda function an integration URI names (a function ARN or API Gateway's invocation ARN). */
export function functionOfIntegration(scope: AccountScope, uri: string): FunctionRef {
  const invocation =
    /^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri);
  const arn = invocation ? invocation[1]! : uri;
  if (!arn.startsWith('arn:')) {
    throw badRequest(`Invalid integration URI: '${uri}'. Use the ARN of a Lambda function.`);
  }
  try {
    return parseFunctionRef(scope, arn);
  } catch {
    throw badRequest(`Invalid integration URI: '${uri}'. Use the ARN of a Lambda function in this account.`);
  }
}

export function checkRouteKey(routeKey: string): void {
  const parsed = parseRouteKey(routeKey);
  if (typeof parsed === 'string') throw badRequest(`Invalid route key: '${routeKey}'. ${parsed}.`);
}

/** HTTP API CORS rules that the request shape cannot express. */
export function checkCors(cors: CorsPolicy): void {
  if (cors.allowCredentials && cors.allowOrigins?.includes('*')) {
    throw badRequest('allowCredentials cannot be true when allowOrigins includes the wildcard *.');
  }
  if (cors.maxAge !== undefined && (cors.maxAge < -1 || cors.maxAge > 86_400)) {
    throw badRequest('maxAge must be between -1 and 86400 seconds.');
  }
  for (const m of cors.allowMethods ?? []) {
    if (m !== '*' && !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/i.test(m)) {
      throw badRequest(`Invalid CORS allowMethods value: ${m}`);
    }
  }
  for (const o of cors.allowOrigins ?? []) {
    if (o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(o)) {
      throw badRequest(`Invalid CORS allowOrigins value: ${o}. Use * or scheme://host[:port].`);
    }
  }
}

export function checkStageVariables(vars: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) {
    if (!STAGE_VARIABLE_NAME.test(k)) throw badRequest(`Invalid stage variable name: ${k}`);
    if (!STAGE_VARIABLE_VALUE.test(v)) throw badRequest(`Invalid stage variable value for ${k}`);
  }
}

export function mergeVariables(
  current: Record<string, string>,
  patch: Record<string, string>,
): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
