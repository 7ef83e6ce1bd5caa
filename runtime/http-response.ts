/**
 * JSON responses for API Gateway (REST API, Lambda proxy integration).
 *
 * Every response carries `content-type: application/json` and a JSON body. Errors share one shape:
 * `{ "error": { "code": "bad_request", "message": "...", "fields": [{ "path": "items[0].quantity", "message": "..." }] } }`.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { FieldProblem } from './validation';

/** Machine-readable error codes, one per status this module answers with. */
export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'expectation_failed'
  | 'unprocessable'
  | 'precondition_required'
  | 'header_fields_too_large'
  | 'internal_error'
  | 'service_unavailable';

/** The code of each client-error status this module answers with. */
const CLIENT_ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  417: 'expectation_failed',
  422: 'unprocessable',
  428: 'precondition_required',
  431: 'header_fields_too_large',
};

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

/**
 * 412: the request's precondition (`If-Match`) no longer holds: the resource changed since the
 * client read it. `fields` names the precondition and what it is now.
 */
export function preconditionFailed(message: string, fields: readonly FieldProblem[]): APIGatewayProxyResult {
  return errorResponse(412, 'precondition_failed', message, fields);
}

/** 413: the body is larger than the service takes. */
export function payloadTooLarge(limitBytes: number): APIGatewayProxyResult {
  return errorResponse(413, 'payload_too_large', `the request body is larger than the ${limitBytes} bytes this service takes`);
}

/** 428: a write that must say which version it replaces did not (`fields` names the header to send). */
export function preconditionRequired(message: string, fields: readonly FieldProblem[]): APIGatewayProxyResult {
  return errorResponse(428, 'precondition_required', message, fields);
}

/**
 * A client error in the shared shape for a status chosen outside the routes (e.g. by the HTTP
 * parser: 400, 408, 413, 431); a status this module has no code for is answered as 400.
 */
export function clientError(statusCode: number, message: string): APIGatewayProxyResult {
  const code = CLIENT_ERROR_CODES[statusCode];
  return code === undefined ? errorResponse(400, 'bad_request', message) : errorResponse(statusCode, code, message);
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
