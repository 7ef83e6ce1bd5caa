/**
 * The deployed entry point, end to end: the real `handler` with its real SDK clients, pointed through
 * the standard AWS_ENDPOINT_URL_* variables at dynalite (DynamoDB protocol), a fake Parameter Store
 * and a stand-in EventBridge bus. The event store's stream is played by handing the handler the
 * stream records of what the store holds, as Lambda's event source mapping would.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { handler as OrdersHandler } from '../../../services/orders/handler';
import { orders } from '../../../services/orders/service';
import { apiGatewayEvent, lambdaContext, RequestShape } from '../../support/api-gateway-events';
import { localLambdaEnvironment } from '../../support/aws-test-settings';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { EventBusServer, startEventBusServer } from '../../support/event-bus-server';
import { insertRecord, streamEvent } from '../../support/lambda-events';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';
import { ParameterStoreServer, startParameterStoreServer } from '../../support/parameter-store-server';

const TABLE = 'shop-test-orders';
const EVENTS = 'shop-test-orders-events';
const READ_MODEL = 'shop-test-orders-read-model';
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
  let bus: EventBusServer;
  let output: CapturedOutput;
  let handler: typeof OrdersHandler;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, orders.table!);
    await dynamodb.createEventStore(EVENTS);
    const model = orders.eventSourcing!.readModel;
    await dynamodb.createTable(READ_MODEL, model, model.indexes);
    bus = await startEventBusServer();
    // The spec's config, with a lower limit so a test can exceed it.
    const config = { ...orders.config, maxItemsPerOrder: String(MAX_ITEMS) };
    parameterStore = await startParameterStoreServer(
      Object.fromEntries(Object.entries(config).map(([key, value]) => [`${CONFIG_PATH}/${key}`, value])),
    );
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    Object.assign(process.env, {
      ...localLambdaEnvironment('orders', { dynamodb: dynamodb.endpoint, ssm: parameterStore.endpoint, eventBridge: bus.endpoint }),
      TABLE_NAME: TABLE,
      EVENT_STORE_TABLE_NAME: EVENTS,
      READ_MODEL_TABLE_NAME: READ_MODEL,
      EVENT_BUS_NAME: 'shop-test-events',
      CONFIG_PATH,
    });
    output = captureOutput();
    // The module builds its clients from the environment when it loads, as in a Lambda container.
    handler = (require('../../../services/orders/handler') as { handler: typeof OrdersHandler }).handler;
  });

  afterAll(async () => {
    output.restore();
    await parameterStore.stop();
    await bus.stop();
    await dynamodb.stop();
    process.env = savedEnv;
  });

  const invoke = async (shape: RequestShape) => (await handler(apiGatewayEvent(shape), lambdaContext())) as APIGatewayProxyResult;
  /** Plays the event store's stream: hands the handler the records of every event it has not seen yet. */
  const seen = new Set<string>();
  const runProjection = async () => {
    const fresh = (await dynamodb.scan(EVENTS)).filter((item) => !seen.has(`${item.streamId}/${item.version}`));
    fresh.forEach((item) => seen.add(`${item.streamId}/${item.version}`));
    return handler(streamEvent(fresh.map((item) => insertRecord(item))), lambdaContext());
  };
  const post = (body: unknown, headers: Record<string, string> = { 'Idempotency-Key': randomUUID() }) =>
    invoke({ method: 'POST', resource: '/orders', headers, body });
  const get = (id: string) => invoke({ method: 'GET', resource: '/orders/{id}', path: `/orders/${id}`, pathParameters: { id } });
  const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body);
  const orderItems = async () => dynamodb.scan(EVENTS);
  /** Everything the service keeps: its table (idempotency records, snapshots) and its event store. */
  const everything = async () => [await dynamodb.scan(TABLE), await dynamodb.scan(EVENTS)];
  /** EMF records that carry the metric `name`. */
  const metricsEmitted = (name: string) =>
    output.records().filter((record) => {
      const emf = record._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
      return (emf?.CloudWatchMetrics ?? []).some((directive) => directive.Metrics.some((metric) => metric.Name === name));
    });

  test('POST creates an order: 201 with the order and its location, and OrderPlaced is in the event store', async () => {
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
      updatedAt: order.createdAt,
      version: 1,
    });
    expect(response.headers).toMatchObject({ location: `/orders/${order.id}` });
    expect(await orderItems()).toContainEqual({
      streamId: order.id,
      version: 1,
      type: 'OrderPlaced',
      at: order.createdAt,
      customerId: 'customer-42',
      items: validOrder.items,
      note: 'ring twice',
      currency: 'EUR',
    });
  });

  test('GET reads the projection: the order shows once the stream is projected, and OrderPlaced is published', async () => {
    const created = bodyOf(await post(validOrder));
    expect((await get(created.id)).statusCode).toBe(404);

    expect(await runProjection()).toEqual({ batchItemFailures: [] });

    const response = await get(created.id);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual(created);
    expect(bus.received).toContainEqual({
      EventBusName: 'shop-test-events',
      Source: 'orders',
      DetailType: 'OrderPlaced',
      detail: { orderId: created.id, customerId: 'customer-42', items: validOrder.items, currency: 'EUR', placedAt: created.createdAt },
    });
  });

  test("GET /customers/{customerId}/orders lists the customer's projected orders, newest first", async () => {
    const customerId = `customer-${randomUUID()}`;
    const first = bodyOf(await post({ ...validOrder, customerId }));
    const second = bodyOf(await post({ ...validOrder, customerId }));
    await runProjection();

    const list = (query?: Record<string, string>) =>
      invoke({ method: 'GET', resource: '/customers/{customerId}/orders', path: `/customers/${customerId}/orders`, pathParameters: { customerId }, query });
    const page = await list({ limit: '1' });
    expect(page.statusCode).toBe(200);
    const newest = [second, first].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    expect(bodyOf(page)).toEqual({ orders: [newest[0]], next: expect.any(String) });
    expect(bodyOf(await list({ limit: '1', after: bodyOf(page).next })).orders).toEqual([newest[1]]);

    expect(bodyOf(await list({ limit: '500' })).error.fields).toEqual([{ path: 'limit', message: 'must be at most 50' }]);
    expect(bodyOf(await list({ after: 'bogus' })).error.fields).toEqual([{ path: 'after', message: 'the cursor is not one this API gave out' }]);
  });

  describe('list cursors are opaque and checked', () => {
    const list = (customerId: string, query?: Record<string, string>) =>
      invoke({ method: 'GET', resource: '/customers/{customerId}/orders', path: `/customers/${customerId}/orders`, pathParameters: { customerId }, query });
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    let customerId: string;
    let placed: string[];

    beforeAll(async () => {
      customerId = `customer-${randomUUID()}`;
      placed = [];
      for (let order = 0; order < 5; order += 1) placed.push(bodyOf(await post({ ...validOrder, customerId })).id);
      await runProjection();
    });

    test('the cursors it gives out page through every order once', async () => {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = bodyOf(await list(customerId, { limit: '2', ...(after === undefined ? {} : { after }) }));
        seen.push(...page.orders.map((order: { id: string }) => order.id));
        after = page.next;
      } while (after !== undefined);
      expect(seen.sort()).toEqual([...placed].sort());
    });

    test("a cursor of another customer's list is a 400, never a page of theirs", async () => {
      const other = `customer-${randomUUID()}`;
      await post({ ...validOrder, customerId: other });
      await post({ ...validOrder, customerId: other });
      await runProjection();
      const theirs = bodyOf(await list(other, { limit: '1' })).next as string;
      const response = await list(customerId, { after: theirs });
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).error.fields).toEqual([{ path: 'after', message: 'the cursor is not one this API gave out' }]);
    });

    test.each([
      ['a key of attributes the client chose', { anything: 'goes' }],
      ['the table key it used to hand out', { id: randomUUID(), customerId: 'someone-else', createdAt: '2026-01-01T00:00:00.000Z' }],
      ['a position with a date that is not one', ['c', 'yesterday', randomUUID()]],
    ])('a forged cursor (%s) is a 400, not a 500 from DynamoDB', async (_case, forged) => {
      const response = await list(customerId, { after: cursorOf(forged) });
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).error.fields).toEqual([{ path: 'after', message: 'the cursor is not one this API gave out' }]);
    });

    test('any base64url JSON object of strings as a cursor is a 400 (generated)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }), async (forged) => {
          const response = await list(customerId, { after: cursorOf(forged) });
          expect(response.statusCode).toBe(400);
        }),
        { numRuns: 100 },
      );
    });
  });

  test('saga actions confirm or reject an order, with the reason, once; the projection publishes the outcome', async () => {
    const confirmed = bodyOf(await post(validOrder));
    const rejected = bodyOf(await post(validOrder));
    const detail = (order: { id: string; customerId: string }) => ({ orderId: order.id, customerId: order.customerId, items: validOrder.items, currency: 'EUR', placedAt: 'x' });
    const failure = { Error: 'OutOfStock', Cause: JSON.stringify({ errorType: 'OutOfStock', errorMessage: '2 of grinder asked, 1 available' }) };

    await expect(handler({ action: 'confirmOrder', detail: detail(confirmed), results: {} }, lambdaContext())).resolves.toEqual({ orderId: confirmed.id, status: 'CONFIRMED', version: 2 });
    await expect(handler({ action: 'confirmOrder', detail: detail(confirmed), results: {} }, lambdaContext())).resolves.toEqual({ orderId: confirmed.id, status: 'CONFIRMED', version: 2 });
    await expect(handler({ action: 'rejectOrder', detail: detail(rejected), results: {}, failure }, lambdaContext())).resolves.toEqual({ orderId: rejected.id, status: 'REJECTED', version: 2 });
    await runProjection();

    expect(bodyOf(await get(confirmed.id))).toMatchObject({ status: 'CONFIRMED', version: 2 });
    expect(bodyOf(await get(rejected.id))).toMatchObject({ status: 'REJECTED', rejectionReason: 'OutOfStock: 2 of grinder asked, 1 available', version: 2 });
    expect(bus.received.filter((event) => (event.detail as { orderId: string }).orderId === rejected.id).map((event) => event.DetailType)).toEqual(['OrderPlaced', 'OrderRejected']);
    await expect(handler({ action: 'confirmOrder', detail: detail(rejected), results: {} }, lambdaContext())).rejects.toThrow(`order ${rejected.id} is REJECTED and cannot be confirmed`);
  });

  test('refuses an invocation it does not serve', async () => {
    await expect(handler({ hello: 'world' }, lambdaContext())).rejects.toThrow(/does not serve/);
  });

  test('GET answers 404 in JSON for an id that names no order', async () => {
    const response = await get(randomUUID());
    expect(response.statusCode).toBe(404);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(bodyOf(response).error.code).toBe('not_found');
  });

  test.each([
    ['GET /orders/{id}', { resource: '/orders/{id}', path: '/orders/0b7f6a34-6c1e-4b59-9d55-4d2f6c1b1a01', pathParameters: { id: '0b7f6a34-6c1e-4b59-9d55-4d2f6c1b1a01' } }],
    ['GET /customers/{customerId}/orders', { resource: '/customers/{customerId}/orders', path: '/customers/c-1/orders', pathParameters: { customerId: 'c-1' } }],
  ])('%s refuses an unknown query parameter with a 400 naming it, like every route', async (_route, shape) => {
    const response = await invoke({ method: 'GET', ...shape, query: { limti: '5' } });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error).toMatchObject({ code: 'bad_request', fields: [{ path: 'limti', message: 'is not an allowed field' }] });
  });

  test('POST refuses a query parameter too, and writes nothing', async () => {
    const before = await everything();
    const response = await invoke({ method: 'POST', resource: '/orders', headers: { 'Idempotency-Key': randomUUID() }, query: { dryRun: 'true' }, body: validOrder });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error.fields).toEqual([{ path: 'dryRun', message: 'is not an allowed field' }]);
    expect(await everything()).toEqual(before);
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
    const before = await everything();
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(bodyOf(response)).toEqual({ error: { code: 'bad_request', message: expect.any(String), fields } });
    expect(await everything()).toEqual(before);
  });

  test('POST without an Idempotency-Key answers 400 naming the header, and writes nothing', async () => {
    const before = await everything();
    const response = await post(validOrder, {});
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error.fields).toEqual([{ path: 'Idempotency-Key', message: expect.stringMatching(/^header is required/) }]);
    expect(await everything()).toEqual(before);
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
    const before = await everything();

    const response = await post({ ...validOrder, customerId: 'customer-other' }, { 'Idempotency-Key': key });

    expect(response.statusCode).toBe(422);
    expect(bodyOf(response).error.code).toBe('unprocessable');
    expect(await everything()).toEqual(before);
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
    const response = (await handler(event, lambdaContext())) as APIGatewayProxyResult;
    expect(response.headers).toMatchObject({ 'x-correlation-id': event.requestContext.requestId });
  });

  test('routes every route the spec declares', async () => {
    const declared = (orders.routes ?? []).map(({ route }) => route);
    const outcome: Record<string, string> = {};
    for (const route of declared) {
      const [method, resource] = route.split(' ');
      const response = await invoke({ method, resource, pathParameters: { id: randomUUID(), customerId: 'customer-42' }, body: validOrder });
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
