import type { ApiGatewayError, ApiGatewayErrorCode } from '../../domain/apigateway-errors.js';

/**
 * The one place where API Gateway v2 errors become HTTP: status from the service model,
 * `x-amzn-ErrorType` and a body `{"message": ...}` (plus `resourceType` on NotFoundException),
 * which is what `@aws-sdk/client-apigatewayv2` and the AWS CLI decode.
 */
const STATUS: Record<ApiGatewayErrorCode, number> = {
  BadRequestException: 400,
  AccessDeniedException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  TooManyRequestsException: 429,
};

export function encodeApiGatewayError(e: ApiGatewayError): {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
} {
  return {
    status: STATUS[e.code],
    headers: { 'x-amzn-errortype': e.code },
    body: { message: e.message, ...(e.resourceType ? { resourceType: e.resourceType } : {}) },
  };
}
