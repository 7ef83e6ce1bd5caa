/**
 * The orders API built with stand-in parts where a test must control them (a store that stalls or
 * fails); idempotency records still go to a real DynamoDB protocol server (dynalite).
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { OrderReadModel } from '../../../services/orders/order-read-model';
import { OrderStore, PARTITION_KEY } from '../../../services/orders/order-store';
import { createOrdersApi } from '../../../services/orders/orders-api';
import { downstreamHeaders } from '../../../runtime/call-context';
import { orders } from '../../../services/orders/service';
import { apiGatewayEvent, lambdaContext } from '../../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const TABLE = 'orders-api-test';
const EVENTS = 'orders-api-test-events';
const READ_MODEL = 'orders-api-test-read-model';
const validOrder = { customerId: 'customer-42', items: [{ productId: 'grinder', quantity: 1 }] };

describe('orders API', () => {
  let dynamodb: LocalDynamoDb;
  let output: CapturedOutput;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, orders.table!);
    await dynamodb.createEventStore(EVENTS);
    const model = orders.eventSourcing!.readModel;
    await dynamodb.createTable(READ_MODEL, model, model.indexes);
    output = captureOutput();
  });
  afterAll(async () => {
    output.restore();
    await dynamodb.stop();
  });

  const realStore = () => new OrderStore({ eventStoreTableName: EVENTS, snapshotTableName: TABLE, client: dynamodb.documents });
  /** An API whose store and read model are the real ones, except where `overrides` replace their methods. */
  const apiWith = (overrides: Partial<Pick<OrderStore, 'append'> & Pick<OrderReadModel, 'get'>>) => {
    const store = realStore();
    const readModel = new OrderReadModel({ tableName: READ_MODEL, client: dynamodb.documents });
    return createOrdersApi({
      store: { append: overrides.append ?? ((id, current, event) => store.append(id, current, event)) },
      readModel: { get: overrides.get ?? ((id) => readModel.get(id)), listByCustomer: (customerId, options) => readModel.listByCustomer(customerId, options) },
      settings: { read: async () => ({ maxItemsPerOrder: 20, currency: 'EUR' }) },
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: TABLE, keyAttr: PARTITION_KEY, expiryAttr: 'expiration', awsSdkV3Client: dynamodb.client }),
      logger: new Logger({ serviceName: 'orders', logLevel: 'INFO' }),
      metrics: new Metrics({ serviceName: 'orders', namespace: 'shop' }),
    });
  };
  const post = (api: ReturnType<typeof apiWith>, key: string, headers: Record<string, string> = {}) =>
    api(apiGatewayEvent({ method: 'POST', resource: '/orders', headers: { 'Idempotency-Key': key, ...headers }, body: validOrder }), lambdaContext());
  const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body);

  test('answers 409 while the first request with the key is still being processed, then replays its result', async () => {
    let release!: () => void;
    let putStarted!: () => void;
    const started = new Promise<void>((resolve) => (putStarted = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = realStore();
    const api = apiWith({
      append: async (id, current, event) => {
        putStarted();
        await gate;
        return real.append(id, current, event);
      },
    });
    const key = randomUUID();

    const first = post(api, key);
    await started;
    const second = await post(api, key);
    release();

    expect(second.statusCode).toBe(409);
    expect(bodyOf(second).error.code).toBe('conflict');
    const firstResponse = await first;
    expect(firstResponse.statusCode).toBe(201);
    const third = await post(api, key);
    expect(third.statusCode).toBe(201);
    expect(third.body).toBe(firstResponse.body);
  });

  test('answers 500 without the cause, and logs the cause under the correlation id', async () => {
    const api = apiWith({
      get: async () => {
        throw new Error('socket hang up talking to 10.0.7.12');
      },
    });
    output.clear();
    const id = randomUUID();
    const response = await api(
      apiGatewayEvent({ method: 'GET', resource: '/orders/{id}', path: `/orders/${id}`, pathParameters: { id }, headers: { 'x-correlation-id': 'trace-500' } }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(500);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-correlation-id': 'trace-500' });
    expect(bodyOf(response)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(response.body).not.toMatch(/socket|10\.0\.7\.12/);
    expect(output.records()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        correlation_id: 'trace-500',
        error: expect.objectContaining({ message: 'socket hang up talking to 10.0.7.12' }),
      }),
    );
  });

  test('a failed placement releases its key: a retry with the same key places the order', async () => {
    let failures = 1;
    const real = realStore();
    const api = apiWith({
      append: async (id, current, event) => {
        if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
        return real.append(id, current, event);
      },
    });
    const key = randomUUID();

    expect((await post(api, key)).statusCode).toBe(500);
    const retry = await post(api, key);
    expect(retry.statusCode).toBe(201);
    await expect(real.load(bodyOf(retry).id)).resolves.toMatchObject({ order: bodyOf(retry), version: 1 });
  });

  test('calls made while answering see the request\'s correlation id and trace, for downstreamHeaders()', async () => {
    let seen: Record<string, string> | undefined;
    const api = apiWith({ get: async () => ((seen = downstreamHeaders()), undefined) });
    const event = apiGatewayEvent({ method: 'GET', resource: '/orders/{id}', path: '/orders/x', pathParameters: { id: randomUUID() }, headers: { 'X-Correlation-Id': 'checkout-9c1d' } });
    const response = await api(event, lambdaContext());
    expect(response.statusCode).toBe(404);
    expect(seen).toEqual({ 'x-correlation-id': 'checkout-9c1d', 'x-amzn-trace-id': event.headers['X-Amzn-Trace-Id'] });
  });
});
