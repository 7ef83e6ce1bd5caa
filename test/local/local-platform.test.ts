/**
 * The local platform end to end: the demo catalog started from its synthesized assembly, orders
 * placed through the local edge with tokens from the local issuer, the saga run from the state
 * machine's definition, events on the bus, a poison message on its way to the dead-letter queue,
 * and the dashboard in headless Chromium. Queue visibility timeouts and retry intervals run at 1/50
 * of the synthesized ones, so a redelivery takes about a second.
 */
import * as os from 'node:os';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { chromium, type Browser } from 'playwright-core';
import { startDashboard, type LocalDashboard } from '../../local/dashboard/dashboard-server';
import { DEMO_PRODUCTS } from '../../local/demo-data';
import { startDemoPlatform } from '../../local/demo-platform';
import type { LocalPlatform } from '../../local/local-platform';
import { chromiumExecutable } from './chromium';

const TIME_SCALE = 0.02;

let platform: LocalPlatform;
let dashboard: LocalDashboard;

beforeAll(async () => {
  platform = await startDemoPlatform({ timeScale: TIME_SCALE });
  dashboard = await startDashboard(platform);
}, 240_000);

afterAll(async () => {
  await dashboard?.stop();
  await platform?.stop();
});

async function tokenFor(frontEnd: string): Promise<string> {
  const response = await fetch(`${platform.edge.url}/_local/token?frontEnd=${frontEnd}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${platform.edge.url}${path}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function until<T>(read: () => Promise<T>, holds: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function placeOrder(token: string, productId: string, quantity: number): Promise<string> {
  const placed = await call('POST', '/orders', { token, headers: { 'idempotency-key': `test-${productId}-${quantity}-${Date.now()}` }, body: { customerId: 'customer-1', items: [{ productId, quantity }] } });
  expect(placed.status).toBe(201);
  expect(placed.body.status).toBe('PLACED');
  return placed.body.id as string;
}

describe('on this machine only', () => {
  test('each container service listens on its loopback port only: no other address of the machine reaches it', async () => {
    const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    expect(external).toBeDefined();
    const containerServices = platform.model.services.filter((service) => platform.containers.urlOf(service.name) !== undefined);
    expect(containerServices.map((service) => service.name).sort()).toEqual(['catalog', 'pricing']);
    for (const { name, container } of containerServices) {
      const url = new URL(platform.containers.urlOf(name)!);
      expect(url.hostname).toBe('127.0.0.1');
      const status = (host: string) => fetch(`http://${host}:${url.port}${container!.healthCheckPath}`).then((r) => r.status, () => 'refused');
      expect({ name, loopback: await status('127.0.0.1'), external: await status(external!) }).toEqual({ name, loopback: 200, external: 'refused' });
    }
  });
});

describe('the edge', () => {
  test('refuses a request without a token with 401 in the gateway error shape', async () => {
    const answer = await call('GET', '/orders/3f1c1a52-0c1e-4b8e-9d59-1c6a3b0e9a11');
    expect(answer).toEqual({ status: 401, body: { error: { code: 'CLIENT_ERROR', message: 'Unauthorized' } } });
  });

  test('refuses a token that is not signed by the local issuer with 401', async () => {
    const token = await tokenFor('web');
    const [header, payload] = token.split('.');
    const answer = await call('GET', '/orders/3f1c1a52-0c1e-4b8e-9d59-1c6a3b0e9a11', { token: `${header}.${payload}.${'A'.repeat(342)}` });
    expect(answer.status).toBe(401);
  });

  test("refuses the other front end's token on a front end's route with 403", async () => {
    const refused = await call('GET', '/web/orders/3f1c1a52-0c1e-4b8e-9d59-1c6a3b0e9a11', { token: await tokenFor('mobile') });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('shop/bff-web.read');
  });

  test('checks the body against the route model before the service sees it', async () => {
    const invocationsBefore = platform.functions.invocations.length;
    const answer = await call('POST', '/orders', { token: await tokenFor('web'), headers: { 'idempotency-key': 'bad-body-1' }, body: { customerId: 'c', items: [] } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BAD_REQUEST');
    expect(answer.body.error.message).toContain('/items');
    expect(platform.functions.invocations.slice(invocationsBefore).filter((invocation) => invocation.kind === 'http')).toEqual([]);
  });

  test('answers a path that is not valid percent-encoding with a 400, and an unknown route as API Gateway does', async () => {
    const token = await tokenFor('web');
    expect(await call('GET', '/orders/%E0%A4%A', { token })).toEqual({ status: 400, body: { error: { code: 'CLIENT_ERROR', message: 'the path /orders/%E0%A4%A is not valid percent-encoding' } } });
    expect(await call('GET', '/no-such-route', { token })).toEqual({ status: 403, body: { error: { code: 'CLIENT_ERROR', message: 'Missing Authentication Token' } } });
  });

  test('answers an unknown front end at the token endpoint with a 400 naming the front ends', async () => {
    const answer = await call('GET', '/_local/token?frontEnd=watch');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe("frontEnd must be one of web, mobile; got 'watch'");
  });

  test('routes to the container services: catalog on Fargate lists the demo products, pricing on Kubernetes its tax rate', async () => {
    const token = await tokenFor('web');
    const products = await call('GET', '/products', { token });
    expect(products.status).toBe(200);
    expect(products.body.items.map((product: { id: string }) => product.id).sort()).toEqual(DEMO_PRODUCTS.map((product) => product.id).sort());
    const taxRate = await call('GET', '/pricing/tax-rate', { token });
    expect(taxRate).toEqual({ status: 200, body: { taxRatePercent: 19, currency: 'EUR' } });
  });
});

describe('placing orders', () => {
  test('an order placed through the edge is confirmed by the saga, and inventory lets its held stock go', async () => {
    const token = await tokenFor('web');
    const before = (await call('GET', '/stock/filter-papers', { token })).body;
    const orderId = await placeOrder(token, 'filter-papers', 3);

    const confirmed = await until(() => call('GET', `/orders/${orderId}`, { token }), (answer) => answer.body?.status === 'CONFIRMED');
    expect(confirmed.body).toMatchObject({ id: orderId, status: 'CONFIRMED', version: 2 });

    const execution = platform.stateMachines.executions.find((candidate) => JSON.stringify(candidate.input).includes(orderId))!;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.steps.filter((step) => step.type === 'StateEntered').map((step) => step.state)).toEqual(['ReserveInventory', 'ChargePayment', 'Complete', 'Completed']);
    expect(platform.bus.events.map((event) => event.envelope['detail-type'])).toEqual(expect.arrayContaining(['OrderPlaced', 'OrderConfirmed']));

    // OrderConfirmed reaches inventory through its queue: the three held units leave with the order.
    const after = await until(() => call('GET', `/stock/filter-papers`, { token }), (answer) => answer.body.available === before.available - 3 && answer.body.held === before.held);
    expect(after.status).toBe(200);

    // Each front end reads it through its own BFF, which finds orders (a Lambda) and catalog (a container) in the registry.
    const web = await call('GET', `/web/orders/${orderId}`, { token });
    expect(web.status).toBe(200);
    expect(web.body.order).toMatchObject({ id: orderId, status: 'CONFIRMED' });
    expect(web.body.order.lines[0].product.name).toBe('Filter papers (100)');
    const mobile = await call('GET', `/mobile/orders/${orderId}`, { token: await tokenFor('mobile') });
    expect(mobile.status).toBe(200);
    expect(JSON.stringify(mobile.body)).toContain(orderId);
  });

  test('an order that cannot be paid is rejected: its stock is released and its charge refunded by the compensations', async () => {
    const token = await tokenFor('web');
    const before = (await call('GET', '/stock/espresso-beans', { token })).body;
    // 60 x 18.90 EUR = 1134 EUR, above payments' limit of 1000 EUR a charge: the charge is declined after the stock is held.
    const orderId = await placeOrder(token, 'espresso-beans', 60);

    const rejected = await until(() => call('GET', `/orders/${orderId}`, { token }), (answer) => answer.body?.status === 'REJECTED');
    expect(rejected.body.rejectionReason).toContain('PaymentDeclined');

    const execution = platform.stateMachines.executions.find((candidate) => JSON.stringify(candidate.input).includes(orderId))!;
    await until(async () => execution.status, (status) => status !== 'RUNNING');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.steps.filter((step) => step.type === 'StateEntered').map((step) => step.state)).toEqual([
      'ReserveInventory',
      'ChargePayment',
      'CompensateChargePayment',
      'CompensateReserveInventory',
      'Reject',
      'Rejected',
    ]);
    expect(execution.steps.find((step) => step.type === 'StateFailed')?.error).toContain('PaymentDeclined');
    // Released: the held units are available again.
    const after = (await call('GET', '/stock/espresso-beans', { token })).body;
    expect({ available: after.available, held: after.held }).toEqual({ available: before.available, held: before.held });
    // Refunded: payments keeps no charge taken for the order.
    const paymentsTable = platform.model.tables.find((table) => table.service === 'payments')!.name;
    const charges = (await platform.dynamodb.dynalite.scan(paymentsTable)).filter((item) => JSON.stringify(item).includes(orderId) && item.status === 'CHARGED');
    expect(charges).toEqual([]);
  });
});

describe('the event backbone', () => {
  test('a poison message is received maxReceiveCount times, then lands in its dead-letter queue', async () => {
    const rule = platform.model.rules.find((candidate) => JSON.stringify(candidate.eventPattern).includes('OrderConfirmed'))!;
    const queueName = (rule.targets[0] as { queueName: string }).queueName;
    const queue = platform.model.queues.find((candidate) => candidate.name === queueName)!;
    expect(queue.deadLetter?.maxReceiveCount).toBe(3);
    const deadLetterUrl = platform.queueUrls.get(queue.deadLetter!.queueName)!;

    const bus = new EventBridgeClient({ endpoint: platform.environment.AWS_ENDPOINT_URL_EVENTBRIDGE, region: platform.environment.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const marker = `poison-${Date.now()}`;
    const put = await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'shop-dev-events', Source: 'test', DetailType: 'OrderConfirmed', Detail: JSON.stringify({ marker }) }] }));
    bus.destroy();
    expect(put.FailedEntryCount).toBe(0);

    const dead = await until(async () => platform.queues.messages(deadLetterUrl), (messages) => messages.some((message) => message.body.includes(marker)), 30_000);
    expect(dead.find((message) => message.body.includes(marker))!.receiveCount).toBe(3);
    expect(platform.queues.messages(platform.queueUrls.get(queueName)!).some((message) => message.body.includes(marker))).toBe(false);
    const refusals = platform.logs.last('inventory', 200).filter((line) => line.text.includes('event refused'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
  });
});

describe('the dashboard', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  test('shows every service with its runtime and health, the requests with their correlation ids, and the saga executions step by step', async () => {
    const token = await tokenFor('web');
    const orderId = await placeOrder(token, 'filter-papers', 1);
    await until(async () => platform.stateMachines.executions.find((candidate) => JSON.stringify(candidate.input).includes(orderId))?.status, (status) => status === 'SUCCEEDED');
    const placed = platform.edge.requests.find((request) => request.route === 'POST /orders' && request.status === 201 && request.correlationId !== undefined)!;

    const page = await browser.newPage();
    await page.goto(dashboard.url);
    for (const spec of platform.model.services) {
      const row = page.locator(`#services tr[data-service="${spec.name}"]`);
      await row.waitFor({ timeout: 10_000 });
      expect(await row.locator('td').nth(1).textContent()).toBe(spec.runtime);
      expect(await row.locator('td').nth(2).textContent()).toBe('up');
    }
    await page.locator('#requests td', { hasText: placed.correlationId! }).first().waitFor({ timeout: 10_000 });
    await page.locator('#executions li', { hasText: 'ChargePayment' }).first().waitFor({ timeout: 10_000 });
    await page.locator('#queues td', { hasText: platform.model.queues[0].name }).first().waitFor({ timeout: 10_000 });
    await page.close();
  });

  test('holds the architecture diagram of the catalog, with every service and the saga', async () => {
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    const diagram = page.locator('#architecture-diagram svg');
    await diagram.waitFor({ timeout: 30_000 });
    const text = (await diagram.textContent()) ?? '';
    for (const spec of platform.model.services) expect(text).toContain(spec.name);
    for (const saga of platform.sagas) expect(text).toContain(saga.name);
    await page.close();
  });
});
