/**
 * The orders event store against a real DynamoDB protocol server (dynalite): appends with optimistic
 * concurrency, rebuilds by folding, and snapshots.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { type OrderEvent, OrderHistoryError, confirmOrder, rejectOrder } from '../../../services/orders/order';
import { ConcurrencyConflictError, OrderStore, snapshotKey } from '../../../services/orders/order-store';
import { orders } from '../../../services/orders/service';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const EVENTS = 'orders-store-test-events';
const TABLE = 'orders-store-test';

const placed = (customerId = 'customer-42'): OrderEvent => ({
  type: 'OrderPlaced',
  at: '2025-11-24T17:00:00.000Z',
  customerId,
  items: [{ productId: 'grinder', quantity: 1 }],
  currency: 'EUR',
});

describe('OrderStore', () => {
  let dynamodb: LocalDynamoDb;
  const storeWith = (snapshotEvery?: number) => new OrderStore({ eventStoreTableName: EVENTS, snapshotTableName: TABLE, client: dynamodb.documents, snapshotEvery });
  const eventItems = async (orderId: string) => (await dynamodb.scan(EVENTS)).filter((item) => item.streamId === orderId).sort((a, b) => Number(a.version) - Number(b.version));

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createEventStore(EVENTS);
    await dynamodb.createTable(TABLE, orders.table!);
  });
  afterAll(async () => {
    await dynamodb.stop();
  });

  test('appends each event as the next version and rebuilds the order by folding them', async () => {
    const store = storeWith();
    const id = randomUUID();
    const order = await store.append(id, undefined, placed());
    const confirmed = await store.append(id, order, confirmOrder(order, new Date('2025-11-24T17:00:02.000Z'))[0]);

    expect(await eventItems(id)).toEqual([
      { streamId: id, version: 1, ...placed() },
      { streamId: id, version: 2, type: 'OrderConfirmed', at: '2025-11-24T17:00:02.000Z' },
    ]);
    await expect(store.load(id)).resolves.toEqual({ order: confirmed, version: 2, snapshotVersion: 0, eventsFolded: 2 });
    expect(confirmed).toMatchObject({ id, status: 'CONFIRMED', version: 2 });
  });

  test('loads an unknown order as version 0 without an order', async () => {
    await expect(storeWith().load(randomUUID())).resolves.toEqual({ order: undefined, version: 0, snapshotVersion: 0, eventsFolded: 0 });
  });

  test('two writers racing on one order: one wins, the other gets a clear conflict, and nothing is lost', async () => {
    const store = storeWith();
    const id = randomUUID();
    await store.append(id, undefined, placed());
    // Both read version 1, then decide differently and append at the same time.
    const [first, second] = await Promise.all([store.load(id), store.load(id)]);
    const outcomes = await Promise.allSettled([
      store.append(id, first.order, confirmOrder(first.order!, new Date())[0]),
      store.append(id, second.order, rejectOrder(second.order!, 'PaymentDeclined: above the limit', new Date())[0]),
    ]);

    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(ConcurrencyConflictError);
    expect(lost[0].reason.message).toBe(`order ${id} was changed by another writer: version 2 exists already; reload the order and try again`);

    // The store holds the placement and the winner's event, exactly once each.
    const items = await eventItems(id);
    expect(items.map((item) => item.version)).toEqual([1, 2]);
    const winner = (won[0] as PromiseFulfilledResult<{ status: string }>).value;
    expect(items[1].type).toBe(winner.status === 'CONFIRMED' ? 'OrderConfirmed' : 'OrderRejected');
    // The loser reloads and sees the winner's decision.
    await expect(store.load(id)).resolves.toMatchObject({ version: 2, order: { status: winner.status } });
  });

  test('keeps a snapshot every N events, so a rebuild folds fewer than N events', async () => {
    const store = storeWith(2);
    const id = randomUUID();
    const order = await store.append(id, undefined, placed());
    await expect(store.load(id)).resolves.toMatchObject({ version: 1, snapshotVersion: 0, eventsFolded: 1 });
    expect((await dynamodb.scan(TABLE)).some((item) => item.pk === snapshotKey(id))).toBe(false);

    const confirmed = await store.append(id, order, confirmOrder(order, new Date())[0]);
    expect((await dynamodb.scan(TABLE)).find((item) => item.pk === snapshotKey(id))).toEqual({ pk: snapshotKey(id), version: 2, state: confirmed });
    await expect(store.load(id)).resolves.toEqual({ order: confirmed, version: 2, snapshotVersion: 2, eventsFolded: 0 });
  });

  test('a missing snapshot only makes the rebuild longer', async () => {
    const store = storeWith(1);
    const id = randomUUID();
    const order = await store.append(id, undefined, placed());
    const confirmed = await store.append(id, order, confirmOrder(order, new Date())[0]);
    await dynamodb.documents.send(new DeleteCommand({ TableName: TABLE, Key: { pk: snapshotKey(id) } }));
    await expect(store.load(id)).resolves.toEqual({ order: confirmed, version: 2, snapshotVersion: 0, eventsFolded: 2 });
  });

  test('refuses to fold an event-store item that is not an order event, naming the order and version', async () => {
    const id = randomUUID();
    await dynamodb.documents.send(new PutCommand({ TableName: EVENTS, Item: { streamId: id, version: 1, type: 'OrderTeleported', at: 'now' } }));
    const load = storeWith().load(id);
    await expect(load).rejects.toBeInstanceOf(OrderHistoryError);
    await expect(storeWith().load(id)).rejects.toThrow(`order ${id}: event version 1 is not a valid order event`);
  });
});
