/**
 * Fuzz: each Lambda service's deployed entry point (its real `handler` module, with its real SDK
 * clients pointed at loopback stand-ins: dynalite, a Parameter Store, a bus, and a recorder for
 * anything else) is invoked with 500 generated malformed API Gateway events: its routes' requests
 * broken in one to three ways, some with a broken event shape as well. Every answer must be a 4xx
 * with a JSON error body, no invocation may throw, and nothing may be written (every table
 * scanned before and after) or sent (no event published, no call made). Payments, which has no
 * routes, is invoked with events of every other shape and must refuse them all, writing nothing.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import * as fc from 'fast-check';
import { MOBILE_ROUTES } from '../../services/bff-mobile/mobile-api';
import { WEB_ROUTES } from '../../services/bff-web/web-api';
import { inventory } from '../../services/inventory/service';
import { orders } from '../../services/orders/service';
import { payments } from '../../services/payments/service';
import { lambdaContext } from '../support/api-gateway-events';
import { localLambdaEnvironment } from '../support/aws-test-settings';
import { CapturedOutput, captureOutput } from '../support/captured-output';
import { EventBusServer, startEventBusServer } from '../support/event-bus-server';
import { LocalDynamoDb, startLocalDynamoDb } from '../support/local-dynamodb';
import { LoopbackServer, startLoopbackServer } from '../support/loopback-server';
import { RouteFixture, malformedProxyEvents, proxyEventOf } from '../support/malformed-requests';
import { ParameterStoreServer, startParameterStoreServer } from '../support/parameter-store-server';

const RUNS = 500;
const TIME_LIMIT_MS = 150_000;

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const savedEnv = { ...process.env };
let dynamodb: LocalDynamoDb;
let parameterStore: ParameterStoreServer;
let bus: EventBusServer;
let recorder: LoopbackServer;
const recorded: string[] = [];
let output: CapturedOutput;

/** Everything every service keeps: the rows of all the tables, by table. */
const TABLES = {
  orders: 'fuzz-orders',
  orderEvents: 'fuzz-order-events',
  orderReadModel: 'fuzz-order-read-model',
  inventory: 'fuzz-inventory',
  payments: 'fuzz-payments',
};
const everything = async () => Object.fromEntries(await Promise.all(Object.entries(TABLES).map(async ([name, table]) => [name, await dynamodb.scan(table)] as const)));

beforeAll(async () => {
  output = captureOutput();
  dynamodb = await startLocalDynamoDb();
  await dynamodb.createTable(TABLES.orders, orders.table!);
  await dynamodb.createEventStore(TABLES.orderEvents);
  await dynamodb.createTable(TABLES.orderReadModel, orders.eventSourcing!.readModel, orders.eventSourcing!.readModel.indexes);
  await dynamodb.createTable(TABLES.inventory, inventory.table!);
  await dynamodb.createTable(TABLES.payments, payments.table!);
  parameterStore = await startParameterStoreServer({
    '/shop/fuzz/orders/maxItemsPerOrder': '20',
    '/shop/fuzz/orders/currency': 'EUR',
    '/shop/fuzz/payments/maxChargeMinor': '100000',
  });
  bus = await startEventBusServer();
  // Any other AWS API a handler might reach: recorded, and refused.
  recorder = await startLoopbackServer((request, _body, response) => {
    recorded.push(`${request.method} ${request.url} ${String(request.headers['x-amz-target'] ?? '')}`);
    response.writeHead(500).end();
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}, 60_000);

afterAll(async () => {
  output.restore();
  await Promise.all([parameterStore.stop(), bus.stop(), recorder.stop()]);
  await dynamodb.stop();
  process.env = savedEnv;
});

/** Loads a service's handler module as a Lambda container would: with its environment set first. */
function loadHandler(module: string, serviceName: string, env: Record<string, string>): Handler {
  Object.assign(process.env, {
    ...localLambdaEnvironment(serviceName, { dynamodb: dynamodb.endpoint, ssm: parameterStore.endpoint, eventBridge: bus.endpoint }),
    AWS_ENDPOINT_URL_LAMBDA: recorder.endpoint,
    AWS_ENDPOINT_URL_SERVICEDISCOVERY: recorder.endpoint,
    AWS_ENDPOINT_URL_APPCONFIGDATA: recorder.endpoint,
    ...env,
  });
  let handler!: Handler;
  jest.isolateModules(() => {
    handler = (require(module) as { handler: Handler }).handler;
  });
  return handler;
}

/** Runs the generated events through the handler: each must be answered with a 4xx and a JSON error body. */
async function fuzz(handler: Handler, fixtures: readonly RouteFixture[], functionName: string): Promise<void> {
  const before = await everything();
  const published = bus.received.length;
  const calls = recorded.length;
  await fc.assert(
    fc.asyncProperty(malformedProxyEvents(fixtures), async ({ event, defects }) => {
      const response = (await handler(event, lambdaContext(functionName))) as APIGatewayProxyResult;
      const reason = `${defects.join('; ')}: answered ${response.statusCode} ${response.body?.slice(0, 200)}`;
      if (!(response.statusCode >= 400 && response.statusCode < 500)) throw new Error(reason);
      if (response.headers?.['content-type'] !== 'application/json') throw new Error(`${reason} (not JSON)`);
      const body = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') throw new Error(`${reason} (not the error shape)`);
    }),
    { numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS, { failOnInterrupt: true })] },
  );
  expect(await everything()).toEqual(before);
  expect(bus.received.length).toBe(published);
  expect(recorded.slice(calls)).toEqual([]);
}

describe('fuzz: orders handler', () => {
  let handler: Handler;
  beforeAll(() => {
    handler = loadHandler('../../services/orders/handler', 'orders', {
      TABLE_NAME: TABLES.orders,
      EVENT_STORE_TABLE_NAME: TABLES.orderEvents,
      READ_MODEL_TABLE_NAME: TABLES.orderReadModel,
      EVENT_BUS_NAME: 'shop-fuzz',
      CONFIG_PATH: '/shop/fuzz/orders',
    });
  });

  test(`${RUNS} malformed requests: each a 4xx with a JSON error body; nothing written, published or called`, async () => {
    const orderId = randomUUID();
    await fuzz(
      handler,
      [
        { route: 'POST /orders', body: { customerId: 'customer-42', items: [{ productId: 'grinder', quantity: 1 }] }, headers: { 'Idempotency-Key': randomUUID() } },
        { route: 'GET /orders/{id}', pathParameters: { id: orderId } },
        { route: 'GET /customers/{customerId}/orders', pathParameters: { customerId: 'customer-42' } },
      ],
      'shop-fuzz-orders',
    );
  }, TIME_LIMIT_MS + 30_000);
});

describe('fuzz: inventory handler', () => {
  let handler: Handler;
  beforeAll(async () => {
    handler = loadHandler('../../services/inventory/handler', 'inventory', { TABLE_NAME: TABLES.inventory });
    // A product to write over, so a write that slipped through would show.
    const created = (await handler(proxyEventOf({ method: 'PUT', resource: '/stock/{productId}', pathParameters: { productId: 'kettle' }, query: [], headers: [['If-None-Match', '*']], body: '{"available":10,"unitPriceMinor":900}', defects: [] }), lambdaContext())) as APIGatewayProxyResult;
    expect(created.statusCode).toBe(201);
  });

  test(`${RUNS} malformed requests: each a 4xx with a JSON error body; nothing written`, async () => {
    await fuzz(
      handler,
      [
        { route: 'PUT /stock/{productId}', pathParameters: { productId: 'kettle' }, body: { available: 3, unitPriceMinor: 900 }, headers: { 'If-Match': '"1"' } },
        { route: 'GET /stock/{productId}', pathParameters: { productId: 'kettle' } },
      ],
      'shop-fuzz-inventory',
    );
  }, TIME_LIMIT_MS + 30_000);
});

describe.each([
  ['bff-web', '../../services/bff-web/handler', WEB_ROUTES[0]],
  ['bff-mobile', '../../services/bff-mobile/handler', MOBILE_ROUTES[0]],
])('fuzz: %s handler', (name, module, route) => {
  let handler: Handler;
  beforeAll(() => {
    handler = loadHandler(module, name, {
      DISCOVERY_NAMESPACE: 'shop-fuzz',
      CONFIG_PATH: `/shop/fuzz/${name}`,
      FEATURE_FLAGS_APPLICATION: 'shop-fuzz',
      FEATURE_FLAGS_ENVIRONMENT: 'fuzz',
      FEATURE_FLAGS_PROFILE: name,
    });
  });

  test(`${RUNS} malformed requests: each a 4xx with a JSON error body; no call made to any dependency`, async () => {
    const ssmCalls = parameterStore.getParametersByPathCalls;
    await fuzz(handler, [{ route, pathParameters: { id: randomUUID() } }], `shop-fuzz-${name}`);
    expect(parameterStore.getParametersByPathCalls).toBe(ssmCalls);
  }, TIME_LIMIT_MS + 30_000);
});

describe('fuzz: payments handler (no routes)', () => {
  let handler: Handler;
  beforeAll(() => {
    handler = loadHandler('../../services/payments/handler', 'payments', { TABLE_NAME: TABLES.payments, CONFIG_PATH: '/shop/fuzz/payments' });
  });

  test(`${RUNS} events of other shapes (HTTP requests, anything, near-saga commands) are refused, and nothing is written`, async () => {
    const before = await everything();
    const nearCommand = fc.record({ action: fc.oneof(fc.string(), fc.constantFrom('chargePayment', 'refundPayment')), detail: fc.anything({ maxDepth: 2 }), results: fc.anything({ maxDepth: 2 }) }, { requiredKeys: ['action'] });
    const events = fc.oneof(malformedProxyEvents([{ route: 'GET /payments/{id}', pathParameters: { id: 'x' } }]).map(({ event }) => event as unknown), fc.anything({ maxDepth: 3 }), nearCommand);
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        await expect(handler(event, lambdaContext('shop-fuzz-payments'))).rejects.toMatchObject({ message: expect.stringMatching(/does not serve|does not fit/) });
      }),
      { numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS, { failOnInterrupt: true })] },
    );
    expect(await everything()).toEqual(before);
  }, TIME_LIMIT_MS + 30_000);
});
