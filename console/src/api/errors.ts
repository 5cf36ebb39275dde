/** An error the server answered with, in AWS's terms (error type and message). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** Errors that mean "sign in (again)". */
export const AUTH_ERRORS = new Set([
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'ExpiredTokenException',
]);

/** Any thrown value as an ApiError: SDK errors carry `name` and `$metadata.httpStatusCode`. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object') {
    const o = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = o.$metadata?.httpStatusCode ?? 0;
    if (o.name && o.message !== undefined)
      return new ApiError(o.name, o.message || `HTTP ${status || 'error'}`, status);
  }
  return new ApiError('NetworkError', e instanceof Error ? e.message : String(e), 0);
}

export const isAuthError = (e: unknown) => AUTH_ERRORS.has(asApiError(e).code);
export const isNotFound = (e: unknown) => asApiError(e).code === 'ResourceNotFoundException';

/**
 * Which form field an AWS validation message is about: `Value '9999' at 'timeout' failed to satisfy
 * constraint: ...` names the member; so do a few other messages.
 */
export function fieldOf(e: ApiError): string | undefined {
  const member = /at '([A-Za-z.]+)'/.exec(e.message)?.[1];
  if (member) return member.split('.')[0];
  if (e.code === 'ResourceConflictException' && /already exist/i.test(e.message)) return 'functionName';
  if (/zip|code|unzip|archive/i.test(e.message) && e.code === 'InvalidParameterValueException') return 'code';
  if (/handler/i.test(e.message)) return 'handler';
  if (/environment|variable/i.test(e.message)) return 'environment';
  if (/runtime/i.test(e.message)) return 'runtime';
  return undefined;
}
