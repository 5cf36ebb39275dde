/**
 * The answers the front doors give themselves, without the function's response: the one place
 * their status codes and bodies are written down (lambda-reference §7.1). Function URLs word
 * errors as `{"Message": ...}` (observed 403 bodies) and a failed function as a bare
 * `Internal Server Error`; HTTP APIs as `{"message": ...}`.
 */
export interface FrontDoorResponse {
  status: number;
  contentType: string;
  body: string;
}

const json = (status: number, body: unknown): FrontDoorResponse => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
});

export type FrontDoorFailure =
  | 'not-found'
  | 'forbidden'
  | 'function-error'
  | 'throttled'
  | 'too-large'
  | 'timeout'
  | 'internal';

export const FUNCTION_URL_RESPONSES: Record<FrontDoorFailure, FrontDoorResponse> = {
  'not-found': json(404, { Message: 'Not Found' }),
  forbidden: json(403, {
    Message:
      'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
  }),
  'function-error': { status: 502, contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error' },
  throttled: json(429, { Message: 'Rate Exceeded.' }),
  'too-large': json(413, {
    Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
  }),
  timeout: { status: 502, contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error' },
  internal: { status: 502, contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error' },
};

export const HTTP_API_RESPONSES: Record<FrontDoorFailure, FrontDoorResponse> = {
  'not-found': json(404, { message: 'Not Found' }),
  forbidden: json(403, { message: 'Forbidden' }),
  'function-error': json(500, { message: 'Internal Server Error' }),
  throttled: json(429, { message: 'Too Many Requests' }),
  'too-large': json(413, { message: 'Request Entity Too Large' }),
  // The integration did not answer within its timeout (30 s at most).
  timeout: json(503, { message: 'Service Unavailable' }),
  internal: json(500, { message: 'Internal Server Error' }),
};
