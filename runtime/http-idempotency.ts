/**
 * The HTTP face of Powertools idempotency: the `Idempotency-Key` request header, and the
 * responses for the errors the idempotency utility raises.
 */
import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { headerValue } from './http-request';
import { conflict, unprocessable } from './http-response';
import type { Checked } from './validation';

/** The request header that makes a write safe to retry. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A key a client may choose: a UUID fits, so does any short token of letters, digits and `._:-`. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request's `Idempotency-Key` (any case of the header name); missing or malformed is a problem naming the header. */
export function idempotencyKeyOf(event: Pick<APIGatewayProxyEvent, 'headers'>): Checked<string> {
  const key = headerValue(event, IDEMPOTENCY_KEY_HEADER)?.trim();
  if (key === undefined || key === '') {
    return { ok: false, problems: [{ path: IDEMPOTENCY_KEY_HEADER, message: 'header is required: send a unique key (e.g. a UUID) per intended write, and the same key when retrying it' }] };
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    return { ok: false, problems: [{ path: IDEMPOTENCY_KEY_HEADER, message: 'header must be 8 to 128 letters, digits or ._:- characters' }] };
  }
  return { ok: true, value: key };
}

/**
 * The response for an idempotency error, or `undefined` when `error` is not one the client can act on:
 * 422 when the key was used before with another request, 409 while the first request with the key is still running.
 */
export function responseForIdempotencyError(error: unknown): APIGatewayProxyResult | undefined {
  if (error instanceof IdempotencyValidationError) {
    return unprocessable(`this ${IDEMPOTENCY_KEY_HEADER} was already used with a different request; use a new key for a new request`);
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return conflict(`a request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later`);
  }
  return undefined;
}
