/**
 * Both BFFs against real downstream services on loopback: the orders handler behind a stand-in of
 * the Lambda Invoke API (called with the real LambdaClient), the catalog API behind its container
 * HTTP server, both on dynalite, each behind a fault proxy the test switches to hang or fail. The
 * BFFs find them through the discovery helper over a local registry, read their resilience
 * policies from a loopback Parameter Store (written as the config store writes the spec) and their
 * flags from a loopback AppConfig.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { callBudgetMs, configEntriesOf, integrationTimeoutMsOf } from '../../../constructs/model/resilience-policy';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { MOBILE_FLAG_DEFAULTS, MobileFlags, createMobileBffApi } from '../../../services/bff-mobile/mobile-api';
import { bffMobile } from '../../../services/bff-mobile/service';
import { bffWeb } from '../../../services/bff-web/service';
import { WEB_FLAG_DEFAULTS, WebFlags, createWebBffApi } from '../../../services/bff-web/web-api';
import { CATALOG_ROUTES, createCatalogApi } from '../../../services/catalog/catalog-api';
import { ProductStore } from '../../../services/catalog/product-store';
import { catalog } from '../../../services/catalog/service';
import { CreateOrderRequest, Order, applyOrderEvent, placeOrder } from '../../../services/orders/order';
import { OrderReadModel } from '../../../services/orders/order-read-model';
import { OrderStore, PARTITION_KEY } from '../../../services/orders/order-store';
import { createOrdersApi } from '../../../services/orders/orders-api';
import { orders } from '../../../services/orders/service';
import { ContainerHttpServer } from '../../../runtime/container/http-server';
import { createBffRuntime } from '../../../services/shared/bff/bff-runtime';
import type { RouteHandler } from '../../../runtime/http-router';
import { apiGatewayEvent, lambdaContext } from '../../support/api-gateway-events';
import { AppConfigDataServer, startAppConfigDataServer } from '../../support/appconfig-data-server';
import { localClientConfig } from '../../support/aws-test-settings';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { FaultProxy, startFaultProxy } from '../../support/fault-proxy';
import { LambdaInvokeServer, startLambdaInvokeServer } from '../../support/lambda-invoke-server';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';
import { LocalRegistry } from '../../support/local-registry';
import { ParameterStoreServer, startParameterStoreServer } from '../../support/parameter-store-server';

const ORDERS_TABLE = 'bff-test-orders';
const ORDER_EVENTS_TABLE = 'bff-test-order-events';
const ORDER_READ_MODEL_TABLE = 'bff-test-order-read-model';
const CATALOG_TABLE = 'bff-test-catalog';
const ORDERS_FUNCTION = 'shop-test-orders';
/** Seconds config and flags are cached: short, so the refresh tests wait little. */
const MAX_AGE_SECONDS = 1;

/** The BFF specs with small numbers, so breakers trip and reset within a test. */
const TEST_RESILIENCE = {
  orders: { timeoutMs: 800, retries: 0, errorThresholdPercent: 50, volumeThreshold: 3, resetTimeoutMs: 1000 },
  catalog: { timeoutMs: 250, retries: 1, backoffMs: 50, errorThresholdPercent: 50, volumeThreshold: 3, resetTimeoutMs: 1000 },
};
const webSpec: ServiceSpec = { ...bffWeb, resilience: TEST_RESILIENCE };
const mobileSpec: ServiceSpec = { ...bffMobile, resilience: TEST_RESILIENCE };

const products = [
  { id: 'grinder', name: 'Burr grinder', priceMinor: 12900, currency: 'EUR', category: 'coffee' },
  { id: 'kettle', name: 'Gooseneck kettle', priceMinor: 6900, currency: 'EUR', category: 'coffee' },
];
/** An order as the orders projection would hold it once placed: its first event folded. */
const placedOrder = (request: CreateOrderRequest, id: string, at: string): Order =>
  applyOrderEvent(id, undefined, placeOrder(request, { maxItemsPerOrder: 20, currency: 'EUR' }, { at: new Date(at) }), 1);
const order = placedOrder(
  { customerId: 'customer-7', items: [{ productId: 'grinder', quantity: 1 }, { productId: 'kettle', quantity: 2 }] },
  '0b7f6a34-6c1e-4b59-9d55-4d2f6c1b1a01',
  '2026-11-24T10:00:00Z',
);
const unknownProductOrder = placedOrder({ customerId: 'customer-8', items: [{ productId: 'scale', quantity: 1 }] }, '0b7f6a34-6c1e-4b59-9d55-4d2f6c1b1a02', '2026-11-24T11:00:00Z');

type Body = Record<string, unknown>;

describe('BFFs against real downstream services', () => {
  let dynamodb: LocalDynamoDb;
  let invokeServer: LambdaInvokeServer;
  let catalogServer: ContainerHttpServer;
  let ordersProxy: FaultProxy;
  let catalogProxy: FaultProxy;
  let parameterStore: ParameterStoreServer;
  let appConfig: AppConfigDataServer;
  let registry: LocalRegistry;
  let output: CapturedOutput;
  let lambda: LambdaClient;

  beforeAll(async () => {
    output = captureOutput();
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(ORDERS_TABLE, orders.table!);
    await dynamodb.createEventStore(ORDER_EVENTS_TABLE);
    await dynamodb.createTable(ORDER_READ_MODEL_TABLE, orders.eventSourcing!.readModel, orders.eventSourcing!.readModel.indexes);
    await dynamodb.createTable(CATALOG_TABLE, catalog.table!);
    // The BFFs read orders through GET /orders/{id}, which answers from the read model the projection keeps.
    const readModel = new OrderReadModel({ tableName: ORDER_READ_MODEL_TABLE, client: dynamodb.documents });
    await readModel.put(order);
    await readModel.put(unknownProductOrder);
    for (const product of products) await dynamodb.documents.send(new PutCommand({ TableName: CATALOG_TABLE, Item: product }));

    const ordersHandler = createOrdersApi({
      store: new OrderStore({ eventStoreTableName: ORDER_EVENTS_TABLE, snapshotTableName: ORDERS_TABLE, client: dynamodb.documents }),
      readModel,
      settings: { read: async () => ({ maxItemsPerOrder: 20, currency: 'EUR' }) },
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: ORDERS_TABLE, keyAttr: PARTITION_KEY, expiryAttr: 'expiration', awsSdkV3Client: dynamodb.client }),
      logger: new Logger({ serviceName: 'orders' }),
      metrics: new Metrics({ namespace: 'shop', serviceName: 'orders' }),
    });
    invokeServer = await startLambdaInvokeServer({ [ORDERS_FUNCTION]: (event, context) => ordersHandler(event as never, context) });
    ordersProxy = await startFaultProxy(invokeServer.endpoint);

    const catalogLogger = new Logger({ serviceName: 'catalog' });
    catalogServer = new ContainerHttpServer({
      routes: CATALOG_ROUTES,
      handle: createCatalogApi({
        store: new ProductStore({ tableName: CATALOG_TABLE, client: dynamodb.documents }),
        settings: { current: async () => ({ defaultPageSize: 20, maxPageSize: 100 }) },
        logger: catalogLogger,
      }),
      healthPath: '/health',
      drainSeconds: 1,
      log: catalogLogger,
    });
    const catalogPort = await catalogServer.listen(0, '127.0.0.1');
    catalogProxy = await startFaultProxy(`http://127.0.0.1:${catalogPort}`);

    // What the constructs register: the function's name and ARN for a Lambda, the load balancer URL for a container.
    registry = new LocalRegistry();
    registry.register('orders', { runtime: 'lambda', functionName: ORDERS_FUNCTION, functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${ORDERS_FUNCTION}`, routes: 'POST /orders,GET /orders/{id}' });
    registry.register('catalog', { runtime: 'fargate', url: catalogProxy.endpoint, serviceConnect: 'http://catalog:8080' });

    // What the config store writes for each BFF: its config entries, derived from its spec.
    const parameters: Record<string, string> = {};
    for (const spec of [webSpec, mobileSpec]) {
      for (const [key, value] of Object.entries(configEntriesOf(spec))) parameters[`/shop/test/${spec.name}/${key}`] = value;
    }
    parameterStore = await startParameterStoreServer(parameters);
    appConfig = await startAppConfigDataServer({ 'bff-web': WEB_FLAG_DEFAULTS, 'bff-mobile': MOBILE_FLAG_DEFAULTS });
    lambda = new LambdaClient({ ...localClientConfig(ordersProxy.endpoint), maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    lambda.destroy();
    await Promise.all([ordersProxy.stop(), catalogProxy.stop(), invokeServer.stop(), catalogServer.shutdown(), parameterStore.stop(), appConfig.stop()]);
    await dynamodb.stop();
    output.restore();
  });

  beforeEach(() => {
    ordersProxy.mode = 'pass';
    catalogProxy.mode = 'pass';
    output.clear();
  });

  /** A fresh BFF (its own breakers, caches and config cache), as a new Lambda container would be. */
  function newBff(spec: ServiceSpec): RouteHandler {
    const runtime = {
      serviceName: spec.name,
      metricsNamespace: 'shop',
      registry,
      configPath: `/shop/test/${spec.name}`,
      maxAgeSeconds: MAX_AGE_SECONDS,
      clients: {
        lambda,
        ssm: new SSMProvider({ awsSdkV3Client: parameterStore.client() }),
        appConfig: new AppConfigProvider({ application: 'shop-test', environment: 'test', awsSdkV3Client: appConfig.client() }),
      },
    };
    return spec.name === 'bff-web'
      ? createWebBffApi(createBffRuntime({ ...runtime, flags: { application: 'shop-test', environment: 'test', profile: 'bff-web', schema: WebFlags, defaults: WEB_FLAG_DEFAULTS } }))
      : createMobileBffApi(createBffRuntime({ ...runtime, flags: { application: 'shop-test', environment: 'test', profile: 'bff-mobile', schema: MobileFlags, defaults: MOBILE_FLAG_DEFAULTS } }));
  }

  async function get(bff: RouteHandler, base: string, id: string): Promise<{ response: APIGatewayProxyResult; body: Body; ms: number }> {
    const started = Date.now();
    const response = await bff(apiGatewayEvent({ method: 'GET', resource: `${base}/orders/{id}`, path: `${base}/orders/${id}`, pathParameters: { id } }), lambdaContext(`shop-test-${base.slice(1)}`));
    return { response, body: JSON.parse(response.body) as Body, ms: Date.now() - started };
  }

  /** The EMF metric records emitted so far, as `name:dependency`. */
  const breakerMetrics = () =>
    output.records().flatMap((record) => {
      const aws = record._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
      return (aws?.CloudWatchMetrics?.[0]?.Metrics ?? []).map((metric) => `${metric.Name}:${String(record.dependency ?? '')}`);
    });
  const logMessages = () => output.records().map((record) => record.message);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('web: a healthy call aggregates the order with each line\'s product', async () => {
    const before = invokeServer.invocations.get(ORDERS_FUNCTION) ?? 0;
    const { response, body } = await get(newBff(webSpec), '/web', order.id);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['x-degraded']).toBeUndefined();
    expect(body).toEqual({
      order: {
        id: order.id,
        status: 'PLACED',
        customerId: 'customer-7',
        currency: 'EUR',
        totalQuantity: 3,
        createdAt: order.createdAt,
        lines: [
          { productId: 'grinder', quantity: 1, product: products[0] },
          { productId: 'kettle', quantity: 2, product: products[1] },
        ],
      },
      degraded: [],
    });
    // orders was invoked through the Lambda API, by the ARN from the registry
    expect(invokeServer.invocations.get(ORDERS_FUNCTION)).toBe(before + 1);
  });

  test('mobile: a healthy call gives the compact summary', async () => {
    const { response, body } = await get(newBff(mobileSpec), '/mobile', order.id);
    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ id: order.id, status: 'PLACED', placedAt: order.createdAt, lines: 2, totalQuantity: 3, title: 'Burr grinder and 1 more', degraded: [] });
  });

  test('an unknown order is a 404, an unknown product a null line, and neither counts as a failure', async () => {
    const bff = newBff(webSpec);
    expect((await get(bff, '/web', '0b7f6a34-6c1e-4b59-9d55-4d2f6c1b1aff')).response.statusCode).toBe(404);
    const { body } = await get(bff, '/web', unknownProductOrder.id);
    expect(body).toMatchObject({ order: { lines: [{ productId: 'scale', product: null }] }, degraded: [] });
    expect((await get(bff, '/web', 'not-a-uuid')).response.statusCode).toBe(400);
    expect(breakerMetrics().filter((metric) => metric.startsWith('Fallback'))).toEqual([]);
  });

  test('a hanging catalog trips the timeout, and the fallback answers with the last good copy within the bound', async () => {
    const bff = newBff(webSpec);
    await get(bff, '/web', order.id); // fills the last-good copies
    catalogProxy.mode = 'hang';
    const { response, body, ms } = await get(bff, '/web', order.id);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['x-degraded']).toBe('catalog');
    expect(body).toMatchObject({
      degraded: ['catalog'],
      order: { lines: [{ productId: 'grinder', product: { ...products[0], staleSeconds: expect.any(Number) } }, { productId: 'kettle', product: { ...products[1], staleSeconds: expect.any(Number) } }] },
    });
    // Two attempts of 250 ms with up to 50 ms between them (the catalog's budget), well within what the gateway waits.
    expect(ms).toBeGreaterThanOrEqual(2 * TEST_RESILIENCE.catalog.timeoutMs);
    expect(ms).toBeLessThan(callBudgetMs(TEST_RESILIENCE.catalog) + 1000);
    expect(ms).toBeLessThan(integrationTimeoutMsOf(webSpec)!);
    expect(breakerMetrics()).toEqual(expect.arrayContaining(['AttemptTimedOut:catalog', 'FallbackServed:catalog']));
    expect(output.records()).toContainEqual(expect.objectContaining({ message: 'answered degraded', degraded: 'catalog', service: 'bff-web' }));
    // The metric the flag rollback alarm watches: namespace and dimension as the alarm names them.
    expect(output.records()).toContainEqual(expect.objectContaining({
      DegradedResponses: 1,
      service: 'bff-web',
      _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'shop', Dimensions: [['service']] })] }),
    }));
  });

  test('after enough failures the breaker opens and calls fail fast; after the reset window a probe closes it', async () => {
    const bff = newBff(webSpec);
    catalogProxy.mode = 'fail';
    // Each request makes two catalog calls (two products); the third failure in the window opens the breaker.
    await get(bff, '/web', order.id);
    await get(bff, '/web', order.id);
    expect(breakerMetrics()).toContain('CircuitOpened:catalog');
    expect(output.records()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'circuit opened: calls fail fast to the fallback', dependency: 'catalog', state: 'open' }));

    const reached = catalogProxy.requests;
    const open = await get(bff, '/web', order.id);
    expect(catalogProxy.requests).toBe(reached); // nothing sent while open
    expect(open.body).toMatchObject({ degraded: ['catalog'], order: { lines: [{ product: null }, { product: null }] } });
    expect(breakerMetrics()).toContain('CallsRejected:catalog');

    catalogProxy.mode = 'pass';
    await sleep(TEST_RESILIENCE.catalog.resetTimeoutMs + 100);
    await get(bff, '/web', order.id); // the first call is the probe
    expect(breakerMetrics()).toEqual(expect.arrayContaining(['CircuitHalfOpened:catalog', 'CircuitClosed:catalog']));
    const closed = await get(bff, '/web', order.id);
    expect(closed.body).toMatchObject({ degraded: [], order: { lines: [{ product: products[0] }, { product: products[1] }] } });
  });

  test('orders down: a stale copy of the order is served and marked; with none, a 503 that says when to retry', async () => {
    const bff = newBff(mobileSpec);
    await get(bff, '/mobile', order.id);
    ordersProxy.mode = 'fail';
    const stale = await get(bff, '/mobile', order.id);
    expect(stale.response.statusCode).toBe(200);
    expect(stale.body).toMatchObject({ id: order.id, degraded: ['orders'], staleSeconds: expect.any(Number) });

    const none = await get(bff, '/mobile', unknownProductOrder.id);
    expect(none.response.statusCode).toBe(503);
    expect(none.response.headers).toMatchObject({ 'retry-after': '5', 'x-degraded': 'orders' });
    expect(none.body).toEqual({ error: { code: 'service_unavailable', message: 'the order cannot be fetched right now; try again shortly' } });
  });

  test('a changed resilience value in Parameter Store applies after the cache max age, without a redeploy', async () => {
    const bff = newBff(webSpec);
    await get(bff, '/web', order.id);
    parameterStore.put('/shop/test/bff-web/resilience.catalog.timeoutMs', '50');
    await get(bff, '/web', order.id);
    expect(logMessages()).not.toContain('resilience policy changed; breaker replaced');
    await sleep(MAX_AGE_SECONDS * 1000 + 100);
    catalogProxy.mode = 'hang';
    const { ms } = await get(bff, '/web', order.id);
    expect(output.records()).toContainEqual(expect.objectContaining({ message: 'resilience policy changed; breaker replaced', dependency: 'catalog', policy: expect.objectContaining({ timeoutMs: 50 }) }));
    // Under the old policy the hang would have cost two attempts of 250 ms.
    expect(ms).toBeLessThan(2 * TEST_RESILIENCE.catalog.timeoutMs);
    parameterStore.put('/shop/test/bff-web/resilience.catalog.timeoutMs', String(TEST_RESILIENCE.catalog.timeoutMs));
  });

  test('a flag deployed in AppConfig applies after the cache max age: with productNames off, mobile skips the catalog', async () => {
    const bff = newBff(mobileSpec);
    expect((await get(bff, '/mobile', order.id)).body).toMatchObject({ title: 'Burr grinder and 1 more' });
    appConfig.deploy('bff-mobile', { productNames: false });
    expect((await get(bff, '/mobile', order.id)).body).toMatchObject({ title: 'Burr grinder and 1 more' });
    await sleep(MAX_AGE_SECONDS * 1000 + 100);
    const reached = catalogProxy.requests;
    const { body } = await get(bff, '/mobile', order.id);
    expect(body).toMatchObject({ title: null, degraded: [] });
    expect(catalogProxy.requests).toBe(reached);
    appConfig.deploy('bff-mobile', MOBILE_FLAG_DEFAULTS);
  });
});
