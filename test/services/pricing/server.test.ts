import * as http from 'node:http';
import { LogLine, PricingServer, createPricingServer } from '../../../services/pricing/server';

interface Reply {
  status: number;
  body: any;
}

function request(port: number, method: string, path: string, body?: string, agent?: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the pricing server on a loopback port', () => {
  let server: PricingServer;
  let port: number;
  const logs: Record<string, unknown>[] = [];
  const log: LogLine = (entry) => logs.push(entry);

  beforeAll(async () => {
    server = createPricingServer({ settings: { taxRatePercent: 19, currency: 'EUR' }, drainSeconds: 2, log });
    port = await server.listen(0, '127.0.0.1');
  });
  afterAll(() => server.shutdown());

  test('answers its health check', async () => {
    expect(await request(port, 'GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  test('POST /pricing/quotes prices the lines', async () => {
    const reply = await request(port, 'POST', '/pricing/quotes', JSON.stringify({ items: [{ sku: 'a', unitPriceCents: 1000, quantity: 3 }] }));
    expect(reply).toEqual({ status: 200, body: { currency: 'EUR', lines: 1, subtotalCents: 3000, taxCents: 570, totalCents: 3570 } });
  });

  test('a bad quote request gets a 400 naming each bad field', async () => {
    const reply = await request(port, 'POST', '/pricing/quotes', JSON.stringify({ items: [{ sku: 'a', unitPriceCents: -1, quantity: 1 }] }));
    expect(reply).toEqual({ status: 400, body: { message: 'invalid quote request', problems: ['items[0].unitPriceCents: must be whole cents from 0 to 100000000'] } });
    expect((await request(port, 'POST', '/pricing/quotes', '{not json')).status).toBe(400);
  });

  test('GET /pricing/tax-rate returns the configured rate', async () => {
    expect(await request(port, 'GET', '/pricing/tax-rate')).toEqual({ status: 200, body: { taxRatePercent: 19, currency: 'EUR' } });
  });

  test('unknown routes get 404 and wrong methods 405, as JSON', async () => {
    expect(await request(port, 'GET', '/nope')).toEqual({ status: 404, body: { message: 'no route for GET /nope' } });
    expect((await request(port, 'GET', '/pricing/quotes')).status).toBe(405);
  });

  test("returns and logs the caller's correlation id, or one it makes, with the X-Ray trace id", async () => {
    const root = '1-67891233-abcdef012345678912345678';
    const given = await fetch(`http://127.0.0.1:${port}/pricing/tax-rate`, { headers: { 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': `Root=${root};Sampled=1` } });
    expect(given.headers.get('x-correlation-id')).toBe('checkout-7f3a');
    expect(logs).toContainEqual(expect.objectContaining({ message: 'request', correlation_id: 'checkout-7f3a', xray_trace_id: root }));
    const made = await fetch(`http://127.0.0.1:${port}/pricing/tax-rate`, { headers: { 'x-correlation-id': 'bad id\n' } });
    const id = made.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs).toContainEqual(expect.objectContaining({ message: 'request', correlation_id: id }));
  });

  test('logs one JSON line per request with method, path, status and duration', () => {
    const line = logs.find((l) => l.path === '/pricing/tax-rate');
    expect(line).toMatchObject({ level: 'INFO', message: 'request', method: 'GET', status: 200 });
    expect(typeof line!.ms).toBe('number');
  });
});

describe('graceful shutdown', () => {
  test('fails the health check, finishes the request in flight, then stops taking connections', async () => {
    const logs: Record<string, unknown>[] = [];
    const server = createPricingServer({ settings: { taxRatePercent: 10, currency: 'EUR' }, drainSeconds: 5, log: (e) => logs.push(e) });
    const port = await server.listen(0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

    // A request whose body arrives slowly is in flight when the shutdown starts.
    const inFlight = new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/pricing/quotes', agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      req.write('{"items":[{"sku":"a","unitPriceCents":100,');
      setTimeout(() => req.end('"quantity":2}]}'), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = server.shutdown();

    expect(await inFlight).toEqual({ status: 200, body: { currency: 'EUR', lines: 1, subtotalCents: 200, taxCents: 20, totalCents: 220 } });
    expect(await stopped).toBe('drained');
    await expect(request(port, 'GET', '/health')).rejects.toThrow(/ECONNREFUSED/);
    expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining(['draining', 'stopped']));
    agent.destroy();
  });

  test('reports a timeout when a request outlives the drain time', async () => {
    const server = createPricingServer({ settings: { taxRatePercent: 10, currency: 'EUR' }, drainSeconds: 0.2, log: () => undefined });
    const port = await server.listen(0, '127.0.0.1');
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/pricing/quotes' });
    req.on('error', () => undefined);
    req.write('{"items":');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await server.shutdown()).toBe('timed out');
    req.destroy();
  });
});
