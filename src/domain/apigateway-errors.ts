/**
 * Typed errors of the API Gateway v2 control plane. The code is the AWS error type
 * (`x-amzn-ErrorType`); `services/apigatewayv2/error-encoding.ts` is the one place that turns
 * them into HTTP.
 */
export const APIGATEWAY_ERROR_CODES = [
  'BadRequestException',
  'ConflictException',
  'NotFoundException',
  'TooManyRequestsException',
  'AccessDeniedException',
] as const;

export type ApiGatewayErrorCode = (typeof APIGATEWAY_ERROR_CODES)[number];

export class ApiGatewayError extends Error {
  override readonly name = 'ApiGatewayError';
  constructor(
    readonly code: ApiGatewayErrorCode,
    message: string,
    /** NotFoundException names the kind of resource that is missing (`resourceType`). */
    readonly resourceType?: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiGatewayError('BadRequestException', message);
export const apiConflict = (message: string) => new ApiGatewayError('ConflictException', message);
export const apiNotFound = (message: string, resourceType?: string) =>
  new ApiGatewayError('NotFoundException', message, resourceType);
