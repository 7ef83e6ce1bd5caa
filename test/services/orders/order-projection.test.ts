/**
 * The CQRS projection against dynalite (event store, snapshots, read model) and a stand-in bus:
 * stream records in, read-model items and published events out.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { type OrderEvent, confirmOrder } from '../../../services/orders/order';
import { createOrderProjection } from '../../../services/orders/order-projection';
import { InvalidCursorError, OrderReadModel } from '../../../services/orders/order-read-model';
import { OrderStore } from '../../../services/orders/order-store';
import { orders } from '../../../services/orders/service';
import { EventPublisher } from '../../../runtime/event-publisher';
import { DOMAIN_EVENTS } from '../../../services/shared/domain-events';
import { lambdaContext } from '../../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { EventBusServer, startEventBusServer } from '../../support/event-bus-server';
import { insertRecord, streamEvent } from '../../support/lambda-events';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const EVENTS = 'projection-test-events';
const TABLE = 'projection-test';
const READ_MODEL = 'projection-test-read-model';

const placed = (customerId: string, at = '2025-11-24T17:00:00.000Z'): OrderEvent => ({
  type: 'OrderPlaced',
  at,
  customerId,
  items: [{ productId: 'grinder', quantity: 2 }],
  currency: 'EUR',
});

describe('order projection', () => {
  let dynamodb: LocalDynamoDb;
  let bus: EventBusServer;
  let output: CapturedOutput;
  let store: OrderStore;
  let readModel: OrderReadModel;
  let project: ReturnType<typeof createOrderProjection>;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createEventStore(EVENTS);
    await dynamodb.createTable(TABLE, orders.table!);
    const model = orders.eventSourcing!.readModel;
    await dynamodb.createTable(READ_MODEL, model, model.indexes);
    bus = await startEventBusServer();
    output = captureOutput();
    store = new OrderStore({ eventStoreTableName: EVENTS, snapshotTableName: TABLE, client: dynamodb.documents });
    readModel = new OrderReadModel({ tableName: READ_MODEL, client: dynamodb.documents });
    project = createOrderProjection({
      store,
      readModel,
      publisher: new EventPublisher({ events: DOMAIN_EVENTS, busName: 'shop-test-events', source: 'orders', client: bus.client() }),
      logger: new Logger({ serviceName: 'orders' }),
    });
  });
  afterAll(async () => {
    output.restore();
    await bus.stop();
    await dynamodb.stop();
  });

  /** The stream record the store's append made for this version. */
  const recordOf = async (orderId: string, version: number) => {
    const item = (await dynamodb.scan(EVENTS)).find((candidate) => candidate.streamId === orderId && candidate.version === version)!;
    return insertRecord(item);
  };
  const readModelItem = async (orderId: string) => (await dynamodb.scan(READ_MODEL)).find((item) => item.id === orderId);
  const publishedFor = (orderId: string) => bus.received.filter((event) => (event.detail as { orderId: string }).orderId === orderId);

  test('projects an appended event into the read model and publishes it, checked, to the bus', async () => {
    const id = randomUUID();
    const order = await store.append(id, undefined, placed('customer-projected'));

    const response = await project(streamEvent([await recordOf(id, 1)]), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await readModelItem(id)).toEqual(order);
    expect(publishedFor(id)).toEqual([
      {
        EventBusName: 'shop-test-events',
        Source: 'orders',
        DetailType: 'OrderPlaced',
        detail: { orderId: id, customerId: 'customer-projected', items: [{ productId: 'grinder', quantity: 2 }], currency: 'EUR', placedAt: '2025-11-24T17:00:00.000Z' },
      },
    ]);
  });

  test('a record fed twice leaves the read model in the same state', async () => {
    const id = randomUUID();
    const order = await store.append(id, undefined, placed('customer-twice'));
    const confirmed = await store.append(id, order, confirmOrder(order, new Date('2025-11-24T17:00:02.000Z'))[0]);
    const record = await recordOf(id, 2);

    await project(streamEvent([record]), lambdaContext());
    const once = await readModelItem(id);
    const again = await project(streamEvent([record]), lambdaContext());
    expect(again).toEqual({ batchItemFailures: [] });
    expect(await readModelItem(id)).toEqual(once);
    expect(once).toEqual(confirmed);
  });

  test('a late record of an older version never moves the read model back', async () => {
    const id = randomUUID();
    const order = await store.append(id, undefined, placed('customer-late'));
    const confirmed = await store.append(id, order, confirmOrder(order, new Date())[0]);
    await project(streamEvent([await recordOf(id, 2)]), lambdaContext());
    await project(streamEvent([await recordOf(id, 1)]), lambdaContext());
    expect(await readModelItem(id)).toEqual(confirmed);
  });

  test('a batch with one poison record reports only that record; the others are projected', async () => {
    const [first, last] = [randomUUID(), randomUUID()];
    await store.append(first, undefined, placed('customer-batch'));
    await store.append(last, undefined, placed('customer-batch'));
    const poison = insertRecord({ streamId: randomUUID(), version: 1, type: 'OrderTeleported', at: 'yesterday' });
    output.clear();

    const response = await project(streamEvent([await recordOf(first, 1), poison, await recordOf(last, 1)]), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.dynamodb!.SequenceNumber }] });
    expect(await readModelItem(first)).toMatchObject({ status: 'PLACED' });
    expect(await readModelItem(last)).toMatchObject({ status: 'PLACED' });
    expect(output.records()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'stream record not projected; it will be retried', error: expect.objectContaining({ message: expect.stringContaining('is not a valid order event') }) }),
    );
  });

  test('a record the bus refuses is reported alone, and its retry publishes it', async () => {
    const id = randomUUID();
    await store.append(id, undefined, placed('customer-bus-down'));
    const record = await recordOf(id, 1);
    bus.failNext(1);

    expect(await project(streamEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    expect(publishedFor(id)).toHaveLength(0);
    expect(await project(streamEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(publishedFor(id)).toHaveLength(1);
  });

  test('ignores stream records that are not inserts', async () => {
    const record = { ...insertRecord({ streamId: randomUUID(), version: 1 }), eventName: 'REMOVE' as const };
    expect(await project(streamEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
  });

  describe('list queries on the read model', () => {
    const customer = `customer-${randomUUID()}`;

    beforeAll(async () => {
      for (const minute of [1, 2, 3]) {
        const id = randomUUID();
        await store.append(id, undefined, placed(customer, `2025-11-24T17:0${minute}:00.000Z`));
        await project(streamEvent([await recordOf(id, 1)]), lambdaContext());
      }
    });

    test("gives a customer's orders newest first, page by page", async () => {
      const first = await readModel.listByCustomer(customer, { limit: 2 });
      expect(first.orders.map((order) => order.createdAt)).toEqual(['2025-11-24T17:03:00.000Z', '2025-11-24T17:02:00.000Z']);
      expect(first.next).toEqual(expect.any(String));
      const second = await readModel.listByCustomer(customer, { limit: 2, after: first.next });
      expect(second.orders.map((order) => order.createdAt)).toEqual(['2025-11-24T17:01:00.000Z']);
    });

    test('refuses a cursor it did not give out', async () => {
      await expect(readModel.listByCustomer(customer, { limit: 2, after: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    test('gives an empty page for a customer without orders', async () => {
      await expect(readModel.listByCustomer('nobody', { limit: 5 })).resolves.toEqual({ orders: [] });
    });
  });

  test('the read model refuses to store an older version over a newer one', async () => {
    const id = randomUUID();
    await dynamodb.documents.send(new PutCommand({ TableName: READ_MODEL, Item: { id, customerId: 'c', createdAt: 'x', version: 3 } }));
    const order = await store.append(id, undefined, placed('c'));
    await expect(readModel.put(order)).resolves.toBe(false);
    expect(await readModelItem(id)).toMatchObject({ version: 3 });
  });
});
