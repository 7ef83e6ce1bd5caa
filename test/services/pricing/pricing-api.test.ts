/**
 * The pricing API served by the real container server on a loopback port, logging through a real
 * Powertools Logger whose JSON lines are captured.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { PRICING_ROUTES, createPricingApi } from '../../../services/pricing/pricing-api';
import { pricing } from '../../../services/pricing/service';
import type { ContainerHttpServer } from '../../../runtime/container/http-server';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { serveOnLoopback } from '../../support/container-server';

describe('the pricing API on the container server', () => {
  let output: CapturedOutput;
  let server: ContainerHttpServer;
  let base: string;

  beforeAll(async () => {
    output = captureOutput();
    const logger = new Logger({ serviceName: 'pricing', logLevel: 'INFO' });
    ({ server, base } = await serveOnLoopback(PRICING_ROUTES, createPricingApi({ settings: { taxRatePercent: 19, currency: 'EUR' }, logger }), logger));
  });
  afterAll(async () => {
    await server.shutdown();
    output.restore();
  });

  const post = (body: string) => fetch(`${base}/pricing/quotes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  test('the spec declares exactly the routes the API serves', () => {
    expect(pricing.routes?.map((r) => r.route)).toEqual([...PRICING_ROUTES]);
  });

  test('POST /pricing/quotes prices the lines in whole cents', async () => {
    const response = await post(JSON.stringify({ items: [{ sku: 'a', unitPriceCents: 1000, quantity: 3 }, { sku: 'b', unitPriceCents: 5, quantity: 1 }] }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ currency: 'EUR', lines: 2, subtotalCents: 3005, taxCents: 571, totalCents: 3576 });
  });

  test('GET /pricing/tax-rate returns the configured rate', async () => {
    const response = await fetch(`${base}/pricing/tax-rate`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ taxRatePercent: 19, currency: 'EUR' });
  });

  test('a bad quote request gets a 400 in the shared error shape, naming each bad field', async () => {
    const response = await post(JSON.stringify({ items: [{ sku: 'has spaces', unitPriceCents: -1, quantity: 1 }] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; fields: { path: string; message: string }[] } };
    expect(body.error).toMatchObject({ code: 'bad_request', message: 'the quote request is malformed' });
    expect(body.error.fields).toEqual([
      { path: 'items[0].sku', message: expect.stringMatching(/^must match/) },
      { path: 'items[0].unitPriceCents', message: 'must be at least 0' },
    ]);
  });

  test.each([
    ['an unknown body field', `/pricing/quotes`, JSON.stringify({ items: [{ sku: 'a', unitPriceCents: 1, quantity: 1 }], discountPercent: 50 }), 'discountPercent'],
    ['an unknown field in a line', `/pricing/quotes`, JSON.stringify({ items: [{ sku: 'a', unitPriceCents: 1, quantity: 1, free: true }] }), 'items[0].free'],
    ['an unknown query parameter on a quote', `/pricing/quotes?currency=USD`, JSON.stringify({ items: [{ sku: 'a', unitPriceCents: 1, quantity: 1 }] }), 'currency'],
  ])('%s gets a 400 naming it, as on every service', async (_label, path, body, field) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { fields: { path: string; message: string }[] } }).error.fields).toEqual([{ path: field, message: 'is not an allowed field' }]);
  });

  test('GET /pricing/tax-rate refuses a query parameter or a body, naming it', async () => {
    const response = await fetch(`${base}/pricing/tax-rate?region=eu`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { fields: { path: string }[] } }).error.fields).toEqual([{ path: 'region', message: 'is not an allowed field' }]);
  });

  test.each([
    ['a body that is not JSON', '{not json', 'is not valid JSON'],
    ['no body', '', 'is required: send a JSON object'],
  ])('%s gets a 400 at body', async (_label, text, message) => {
    const response = await post(text);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'bad_request', message: 'the quote request is malformed', fields: [{ path: 'body', message }] } });
  });

  test('unknown paths get 404 and a method the route lacks 405 with allow, as JSON errors', async () => {
    const missing = await fetch(`${base}/pricing/discounts`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${base}/pricing/quotes`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });

  test("echoes and logs the caller's correlation id beside the X-Ray trace id", async () => {
    const root = '1-67891233-abcdef012345678912345678';
    const response = await fetch(`${base}/pricing/tax-rate`, { headers: { 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': `Root=${root};Sampled=1` } });
    expect(response.headers.get('x-correlation-id')).toBe('checkout-7f3a');
    expect(output.records()).toContainEqual(
      expect.objectContaining({ service: 'pricing', level: 'INFO', message: 'request answered', correlation_id: 'checkout-7f3a', xray_trace_id: root, statusCode: 200, method: 'GET', path: '/pricing/tax-rate' }),
    );
  });

  test('makes a correlation id when none (or a malformed one) is given, returns it and logs it', async () => {
    const response = await fetch(`${base}/pricing/tax-rate`, { headers: { 'x-correlation-id': 'bad id;' } });
    const id = response.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.records()).toContainEqual(expect.objectContaining({ message: 'request answered', correlation_id: id }));
  });
});
