/**
 * The deployed entry point, end to end: the real `handler` with its real SDK clients, pointed through
 * the standard AWS_ENDPOINT_URL_* variables at dynalite (DynamoDB protocol) and a fake Parameter Store.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { handler as OrdersHandler } from '../../../services/orders/handler';
import { orders } from '../../../services/orders/service';
import { apiGatewayEvent, lambdaContext, RequestShape } from '../../support/api-gateway-events';
import { TEST_CREDENTIALS, TEST_REGION } from '../../support/aws-test-settings';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';
import { ParameterStoreServer, startParameterStoreServer } from '../../support/parameter-store-server';

const TABLE = 'shop-test-orders';
const CONFIG_PATH = '/shop/test/orders';
const MAX_ITEMS = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const validOrder = {
  customerId: 'customer-42',
  items: [
    { productId: 'espresso-beans', quantity: 2 },
    { productId: 'grinder', quantity: 1 },
  ],
};

describe('orders handler', () => {
  const savedEnv = { ...process.env };
  let dynamodb: LocalDynamoDb;
  let parameterStore: ParameterStoreServer;
  let output: CapturedOutput;
  let handler: typeof OrdersHandler;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, orders.table!);
    // The spec's config, with a lower limit so a test can exceed it.
    const config = { ...orders.config, maxItemsPerOrder: String(MAX_ITEMS) };
    parameterStore = await startParameterStoreServer(
      Object.fromEntries(Object.entries(config).map(([key, value]) => [`${CONFIG_PATH}/${key}`, value])),
    );
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      CONFIG_PATH,
      POWERTOOLS_SERVICE_NAME: 'orders',
      POWERTOOLS_METRICS_NAMESPACE: 'shop',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_LAMBDA_FUNCTION_NAME: 'shop-dev-orders',
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
    });
    output = captureOutput();
    // The module builds its clients from the environment when it loads, as in a Lambda container.
    handler = (require('../../../services/orders/handler') as { handler: typeof OrdersHandler }).handler;
  });

  afterAll(async () => {
    output.restore();
    await parameterStore.stop();
    await dynamodb.stop();
    process.env = savedEnv;
  });

  const invoke = (shape: RequestShape) => handler(apiGatewayEvent(shape), lambdaContext());
  const post = (body: unknown, headers: Record<string, string> = { 'Idempotency-Key': randomUUID() }) =>
    invoke({ method: 'POST', resource: '/orders', headers, body });
  const get = (id: string) => invoke({ method: 'GET', resource: '/orders/{id}', path: `/orders/${id}`, pathParameters: { id } });
  const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body);
  const orderItems = async () => (await dynamodb.scan(TABLE)).filter((item) => String(item.pk).startsWith('ORDER#'));
  /** EMF records that carry the metric `name`. */
  const metricsEmitted = (name: string) =>
    output.records().filter((record) => {
      const emf = record._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
      return (emf?.CloudWatchMetrics ?? []).some((directive) => directive.Metrics.some((metric) => metric.Name === name));
    });

  test('POST creates an order: 201 with the order and its location, and the order is in the table', async () => {
    const response = await post({ ...validOrder, note: 'ring twice' });

    expect(response.statusCode).toBe(201);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    const order = bodyOf(response);
    expect(order).toEqual({
      id: expect.stringMatching(UUID),
      customerId: 'customer-42',
      items: validOrder.items,
      note: 'ring twice',
      status: 'PLACED',
      currency: 'EUR',
      totalQuantity: 3,
      createdAt: expect.any(String),
    });
    expect(response.headers).toMatchObject({ location: `/orders/${order.id}` });
    expect(await orderItems()).toContainEqual({ ...order, pk: `ORDER#${order.id}` });
  });

  test('GET gives back a created order', async () => {
    const created = bodyOf(await post(validOrder));
    const response = await get(created.id);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual(created);
  });

  test('GET answers 404 in JSON for an id that names no order', async () => {
    const response = await get(randomUUID());
    expect(response.statusCode).toBe(404);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(bodyOf(response).error.code).toBe('not_found');
  });

  test('GET answers 400 naming the id when it is not an order id', async () => {
    const response = await get('not-a-uuid');
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error.fields).toEqual([{ path: 'id', message: 'must be a valid uuid' }]);
  });

  test.each([
    ['malformed JSON', '{"customerId": "customer-42", "items": [', [{ path: 'body', message: 'is not valid JSON' }]],
    ['a missing customerId', { items: validOrder.items }, [{ path: 'customerId', message: 'is required' }]],
    ['a quantity of 0', { ...validOrder, items: [{ productId: 'grinder', quantity: 0 }] }, [{ path: 'items[0].quantity', message: 'must be greater than 0' }]],
    ['an unknown key', { ...validOrder, discount: 100 }, [{ path: 'discount', message: 'is not an allowed field' }]],
    [
      `more lines than maxItemsPerOrder (${MAX_ITEMS}, from Parameter Store)`,
      { ...validOrder, items: ['a', 'b', 'c', 'd'].map((productId) => ({ productId, quantity: 1 })) },
      [{ path: 'items', message: `must have at most ${MAX_ITEMS} entries (maxItemsPerOrder); this order has 4` }],
    ],
  ])('POST with %s answers 400 naming the fields, and writes nothing', async (_case, body, fields) => {
    const before = await dynamodb.scan(TABLE);
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(bodyOf(response)).toEqual({ error: { code: 'bad_request', message: expect.any(String), fields } });
    expect(await dynamodb.scan(TABLE)).toEqual(before);
  });

  test('POST without an Idempotency-Key answers 400 naming the header, and writes nothing', async () => {
    const before = await dynamodb.scan(TABLE);
    const response = await post(validOrder, {});
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error.fields).toEqual([{ path: 'Idempotency-Key', message: expect.stringMatching(/^header is required/) }]);
    expect(await dynamodb.scan(TABLE)).toEqual(before);
  });

  test('POST replayed with the same key and body answers the same, and places one order counted once', async () => {
    const key = randomUUID();
    const body = { ...validOrder, customerId: 'customer-replay' };
    output.clear();

    const first = await post(body, { 'Idempotency-Key': key });
    const replay = await post(body, { 'idempotency-key': key });

    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(first.statusCode);
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.location).toBe(first.headers?.location);
    expect((await orderItems()).filter((item) => item.customerId === 'customer-replay')).toHaveLength(1);
    expect(metricsEmitted('OrdersCreated')).toEqual([expect.objectContaining({ OrdersCreated: 1, service: 'orders' })]);
  });

  test('POST with a used key and a different body answers 422 and places nothing', async () => {
    const key = randomUUID();
    expect((await post(validOrder, { 'Idempotency-Key': key })).statusCode).toBe(201);
    const before = await dynamodb.scan(TABLE);

    const response = await post({ ...validOrder, customerId: 'customer-other' }, { 'Idempotency-Key': key });

    expect(response.statusCode).toBe(422);
    expect(bodyOf(response).error.code).toBe('unprocessable');
    expect(await dynamodb.scan(TABLE)).toEqual(before);
  });

  test('a refused POST does not use up its key: the corrected request with the same key is placed', async () => {
    const key = randomUUID();
    const tooMany = { ...validOrder, items: ['a', 'b', 'c', 'd'].map((productId) => ({ productId, quantity: 1 })) };
    expect((await post(tooMany, { 'Idempotency-Key': key })).statusCode).toBe(400);
    expect((await post(validOrder, { 'Idempotency-Key': key })).statusCode).toBe(201);
  });

  test("answers with the caller's x-correlation-id and logs under it", async () => {
    output.clear();
    const response = await post(validOrder, { 'Idempotency-Key': randomUUID(), 'X-Correlation-Id': 'checkout-7f3a' });
    expect(response.headers).toMatchObject({ 'x-correlation-id': 'checkout-7f3a' });
    expect(output.records()).toContainEqual(
      expect.objectContaining({ message: 'order placed', correlation_id: 'checkout-7f3a', service: 'orders', function_name: 'shop-dev-orders' }),
    );
  });

  test("answers with API Gateway's request id as correlation id when the caller sends none", async () => {
    const event = apiGatewayEvent({ method: 'GET', resource: '/orders/{id}', path: '/orders/x', pathParameters: { id: 'x' } });
    const response = await handler(event, lambdaContext());
    expect(response.headers).toMatchObject({ 'x-correlation-id': event.requestContext.requestId });
  });

  test('routes every route the spec declares', async () => {
    const declared = (orders.routes ?? []).map(({ route }) => route);
    const outcome: Record<string, string> = {};
    for (const route of declared) {
      const [method, resource] = route.split(' ');
      const response = await invoke({ method, resource, pathParameters: { id: randomUUID() }, body: validOrder });
      const unrouted = response.statusCode === 405 || (response.statusCode === 404 && bodyOf(response).error.message.startsWith('no route'));
      outcome[route] = unrouted ? 'not routed' : 'routed';
    }
    expect(outcome).toEqual(Object.fromEntries(declared.map((route) => [route, 'routed'])));
  });

  test('answers 404 for an unknown route and 405 for an unknown method, in JSON', async () => {
    const unknownRoute = await invoke({ method: 'GET', resource: '/invoices' });
    expect(unknownRoute.statusCode).toBe(404);
    expect(bodyOf(unknownRoute).error.code).toBe('not_found');

    const unknownMethod = await invoke({ method: 'DELETE', resource: '/orders/{id}', path: `/orders/${randomUUID()}` });
    expect(unknownMethod.statusCode).toBe(405);
    expect(unknownMethod.headers).toMatchObject({ allow: 'GET', 'content-type': 'application/json' });
  });
});
