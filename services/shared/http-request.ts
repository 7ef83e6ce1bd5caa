/**
 * Reading an API Gateway (REST API, Lambda proxy integration) request: headers, the correlation id
 * and a JSON body checked against a zod schema.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as zod from 'zod/v4/core';
import { Checked, validate } from './validation';

/** The header that carries a correlation id across services, both ways. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** A correlation id we accept from a caller: short, and only characters that are safe in logs and headers. */
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The value of a request header, whatever the case of its name; `undefined` when absent. */
export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * The request's correlation id: the caller's `x-correlation-id` when it sent a well-formed one,
 * otherwise the id API Gateway gave the request.
 */
export function correlationIdOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>): string {
  const given = headerValue(event, CORRELATION_ID_HEADER)?.trim();
  return given !== undefined && SAFE_CORRELATION_ID.test(given) ? given : event.requestContext.requestId;
}

/** The body parsed as JSON; a missing or malformed body is a problem at `body`. */
export function jsonBodyOf(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Checked<unknown> {
  if (event.body === null || event.body === undefined || event.body === '') {
    return { ok: false, problems: [{ path: 'body', message: 'is required: send a JSON object' }] };
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problems: [{ path: 'body', message: 'is not valid JSON' }] };
  }
}

/** The body parsed as JSON and checked against `schema`; a problem with the body as a whole is at `body`. */
export function parseJsonBody<Schema extends zod.$ZodType>(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  schema: Schema,
): Checked<zod.output<Schema>> {
  const body = jsonBodyOf(event);
  if (!body.ok) return body;
  const checked = validate(schema, body.value);
  return checked.ok
    ? checked
    : { ok: false, problems: checked.problems.map((problem) => (problem.path === '' ? { ...problem, path: 'body' } : problem)) };
}
