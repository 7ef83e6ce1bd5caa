import * as z from 'zod/mini';
import { correlationIdOf, headerValue, jsonBodyOf, parseJsonBody } from '../../../services/shared/http-request';
import { apiGatewayEvent } from '../../support/api-gateway-events';

const event = (headers: Record<string, string> = {}, body?: unknown) => apiGatewayEvent({ method: 'POST', resource: '/things', headers, body });

describe('headerValue', () => {
  test('finds a header whatever the case of its name', () => {
    expect(headerValue(event({ 'IDEMPOTENCY-KEY': 'k-123456' }), 'Idempotency-Key')).toBe('k-123456');
    expect(headerValue(event({ 'idempotency-key': 'k-654321' }), 'Idempotency-Key')).toBe('k-654321');
  });

  test('is undefined when the header is absent, or there are no headers at all', () => {
    expect(headerValue(event(), 'Idempotency-Key')).toBeUndefined();
    expect(headerValue({ headers: null as never }, 'Idempotency-Key')).toBeUndefined();
  });
});

describe('correlationIdOf', () => {
  test("takes the caller's x-correlation-id", () => {
    expect(correlationIdOf(event({ 'X-Correlation-Id': 'checkout-7f3a' }))).toBe('checkout-7f3a');
  });

  test("falls back to API Gateway's request id when the header is absent", () => {
    const request = event();
    expect(correlationIdOf(request)).toBe(request.requestContext.requestId);
  });

  test('ignores a header that could forge log lines or is too long', () => {
    const forged = event({ 'x-correlation-id': 'abc\n{"level":"ERROR"}' });
    const long = event({ 'x-correlation-id': 'a'.repeat(129) });
    expect(correlationIdOf(forged)).toBe(forged.requestContext.requestId);
    expect(correlationIdOf(long)).toBe(long.requestContext.requestId);
  });
});

describe('jsonBodyOf', () => {
  test('parses a JSON body, plain or base64-encoded', () => {
    expect(jsonBodyOf(event({}, { a: 1 }))).toEqual({ ok: true, value: { a: 1 } });
    expect(jsonBodyOf({ body: Buffer.from('{"a":2}').toString('base64'), isBase64Encoded: true })).toEqual({ ok: true, value: { a: 2 } });
  });

  test('names the body when it is malformed JSON', () => {
    expect(jsonBodyOf(event({}, '{"a":'))).toEqual({ ok: false, problems: [{ path: 'body', message: 'is not valid JSON' }] });
  });

  test('names the body when there is none', () => {
    expect(jsonBodyOf(event())).toEqual({ ok: false, problems: [{ path: 'body', message: expect.stringMatching(/^is required/) }] });
  });
});

describe('parseJsonBody', () => {
  const Thing = z.strictObject({ name: z.string() });

  test('checks the parsed body against the schema', () => {
    expect(parseJsonBody(event({}, { name: 'x' }), Thing)).toEqual({ ok: true, value: { name: 'x' } });
    expect(parseJsonBody(event({}, { name: 1 }), Thing)).toEqual({ ok: false, problems: [{ path: 'name', message: 'must be a string' }] });
  });

  test('names the body when the JSON is not the expected kind of value', () => {
    expect(parseJsonBody(event({}, '[1,2]'), Thing)).toEqual({ ok: false, problems: [{ path: 'body', message: 'must be an object' }] });
  });
});
