/**
 * JSON responses for API Gateway (REST API, Lambda proxy integration).
 *
 * Every response carries `content-type: application/json` and a JSON body. Errors share one shape:
 * `{ "error": { "code": "bad_request", "message": "...", "fields": [{ "path": "items[0].quantity", "message": "..." }] } }`.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { FieldProblem } from './validation';

/** Machine-readable error codes, one per status this module answers with. */
export type ErrorCode = 'bad_request' | 'not_found' | 'method_not_allowed' | 'conflict' | 'unprocessable' | 'internal_error' | 'service_unavailable';

/** The body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    /** What went wrong, for a person reading it. */
    readonly message: string;
    /** The fields at fault, when the request itself is at fault. */
    readonly fields?: readonly FieldProblem[];
  };
}

/** Response headers; names are lowercase. */
export type ResponseHeaders = Record<string, string>;

/** Any JSON response. */
export function jsonResponse(statusCode: number, body: unknown, headers: ResponseHeaders = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** 200 with the given body. */
export function ok(body: unknown): APIGatewayProxyResult {
  return jsonResponse(200, body);
}

/** 201 with the created resource and, when given, its `location`. */
export function created(body: unknown, location?: string): APIGatewayProxyResult {
  return jsonResponse(201, body, location === undefined ? {} : { location });
}

/** 400: the request is malformed; `fields` says where. */
export function badRequest(message: string, fields: readonly FieldProblem[]): APIGatewayProxyResult {
  return errorResponse(400, 'bad_request', message, fields);
}

/** 404: no such resource (or no such route). */
export function notFound(message: string): APIGatewayProxyResult {
  return errorResponse(404, 'not_found', message);
}

/** 405: the route exists but not with this method; `allow` lists the methods it has. */
export function methodNotAllowed(allowedMethods: readonly string[]): APIGatewayProxyResult {
  const allow = allowedMethods.join(', ');
  return withHeaders(errorResponse(405, 'method_not_allowed', `this resource allows only ${allow}`), { allow });
}

/** 409: the request clashes with the current state, e.g. the same request is still being processed. */
export function conflict(message: string): APIGatewayProxyResult {
  return errorResponse(409, 'conflict', message);
}

/** 422: well-formed, but cannot be processed as asked, e.g. an idempotency key reused with another body. */
export function unprocessable(message: string): APIGatewayProxyResult {
  return errorResponse(422, 'unprocessable', message);
}

/** 500 that tells nothing about the cause: the cause goes to the logs, never to the client. */
export function serverError(): APIGatewayProxyResult {
  return errorResponse(500, 'internal_error', 'the request could not be completed; quote the x-correlation-id header when reporting it');
}

/** 503: a service this one depends on cannot answer now; `retry-after` says when to try again. */
export function serviceUnavailable(message: string, retryAfterSeconds: number): APIGatewayProxyResult {
  return withHeaders(errorResponse(503, 'service_unavailable', message), { 'retry-after': String(retryAfterSeconds) });
}

/** The response with `headers` added; a header given here replaces one of the same name. */
export function withHeaders(response: APIGatewayProxyResult, headers: ResponseHeaders): APIGatewayProxyResult {
  return { ...response, headers: { ...response.headers, ...headers } };
}

function errorResponse(statusCode: number, code: ErrorCode, message: string, fields?: readonly FieldProblem[]): APIGatewayProxyResult {
  const body: ErrorBody = { error: fields === undefined ? { code, message } : { code, message, fields } };
  return jsonResponse(statusCode, body);
}
