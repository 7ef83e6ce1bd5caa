import * as z from 'zod/mini';
import { MAX_BODY_DEPTH, correlationIdOf, headerValue, jsonBodyOf, requestParser } from '../../runtime/http-request';
import { apiGatewayEvent } from '../support/api-gateway-events';

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

describe('requestParser: one rule for what a route takes', () => {
  const Line = z.strictObject({ sku: z.string(), quantity: z.int() });
  const parse = requestParser({
    path: { id: z.string().check(z.regex(/^[a-z]+$/)) },
    query: { limit: z.optional(z.string().check(z.regex(/^\d+$/))) },
    body: z.strictObject({ items: z.array(Line) }),
    message: 'the thing is malformed',
  });
  const request = (shape: Partial<Parameters<typeof apiGatewayEvent>[0]>) =>
    apiGatewayEvent({ method: 'POST', resource: '/things/{id}', pathParameters: { id: 'abc' }, body: { items: [] }, ...shape });
  const refusal = (result: { ok: true } | { ok: false; response: { statusCode: number; body: string } }) => {
    if (result.ok) throw new Error('expected a refusal');
    return { statusCode: result.response.statusCode, ...(JSON.parse(result.response.body) as { error: { code: string; message: string; fields?: { path: string; message: string }[] } }).error };
  };

  test('hands on the path, query and body it was told of, parsed', () => {
    expect(parse(request({ query: { limit: '5' }, body: { items: [{ sku: 'a', quantity: 2 }] } }))).toEqual({
      ok: true,
      value: { path: { id: 'abc' }, query: { limit: '5' }, body: { items: [{ sku: 'a', quantity: 2 }] } },
    });
  });

  test('refuses an unknown query parameter, body field (at any depth) or path parameter with a 400 naming each', () => {
    expect(refusal(parse(request({ query: { colour: 'red' }, pathParameters: { id: 'abc', extra: 'x' }, body: { items: [{ sku: 'a', quantity: 1, gift: true }], note: 'hi' } })))).toEqual({
      statusCode: 400,
      code: 'bad_request',
      message: 'the thing is malformed',
      fields: [
        { path: 'extra', message: 'is not an allowed field' },
        { path: 'colour', message: 'is not an allowed field' },
        { path: 'items[0].gift', message: 'is not an allowed field' },
        { path: 'note', message: 'is not an allowed field' },
      ],
    });
  });

  test('refuses a query parameter given twice, which would otherwise be read as one of its values', () => {
    const event = request({ query: { limit: '2' } });
    event.multiValueQueryStringParameters = { limit: ['1', '2'] };
    expect(refusal(parse(event)).fields).toEqual([{ path: 'limit', message: 'must be given once' }]);
  });

  test('a route that declares no query or body refuses any', () => {
    const bare = requestParser({ path: { id: z.string() }, message: 'the id is malformed' });
    expect(bare(request({ body: undefined }))).toMatchObject({ ok: true, value: { path: { id: 'abc' }, query: {} } });
    expect(refusal(bare(request({ query: { limit: '1' }, body: '{}' }))).fields).toEqual([
      { path: 'limit', message: 'is not an allowed field' },
      { path: 'body', message: 'must be empty: this route takes no body' },
    ]);
  });

  test('answers 413 for a body over the limit, before parsing it', () => {
    const small = requestParser({ body: z.strictObject({ note: z.string() }), message: 'bad', maxBodyBytes: 100 });
    expect(refusal(small(request({ pathParameters: undefined, body: { note: 'x'.repeat(200) } })))).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
  });

  test('refuses a body that nests deeper than the limit, without exhausting the stack', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    expect(refusal(parse(request({ body: `{"items":${deep}}` }))).fields).toEqual([{ path: 'body', message: `must not nest arrays and objects more than ${MAX_BODY_DEPTH} deep` }]);
  });

  test('refuses text that is not well-formed Unicode, in the body and in the query', () => {
    expect(refusal(parse(request({ body: '{"items":[{"sku":"\\ud800","quantity":1}]}' }))).fields).toEqual([{ path: 'body', message: 'must be well-formed Unicode text' }]);
    expect(refusal(parse(request({ query: { limit: '\udc00' } }))).fields).toContainEqual({ path: 'limit', message: 'must be well-formed Unicode text' });
  });

  test('a body that is not JSON, or absent where one is required, is named at body', () => {
    expect(refusal(parse(request({ body: '{"items":' }))).fields).toEqual([{ path: 'body', message: 'is not valid JSON' }]);
    expect(refusal(parse(request({ body: '[1,2]' }))).fields).toEqual([{ path: 'body', message: 'must be an object' }]);
    expect(refusal(parse(request({ body: undefined }))).fields).toEqual([{ path: 'body', message: expect.stringMatching(/^is required/) }]);
  });

  test('will not be built over a body schema that lets unknown fields through, however deep', () => {
    expect(() => requestParser({ body: z.object({ a: z.string() }), message: 'x' })).toThrow('the body schema lets unknown fields through at body: make each object a z.strictObject');
    expect(() => requestParser({ body: z.strictObject({ lines: z.optional(z.array(z.object({ a: z.string() }))) }), message: 'x' })).toThrow('at body.lines[]');
  });
});
