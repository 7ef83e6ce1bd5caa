import type { Order } from '../../../services/orders/order';
import { OrderAlreadyExistsError, OrderStore, orderKey } from '../../../services/orders/order-store';
import { orders } from '../../../services/orders/service';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const TABLE = 'orders-store-test';

const order = (id: string, overrides: Partial<Order> = {}): Order => ({
  id,
  customerId: 'customer-42',
  items: [{ productId: 'grinder', quantity: 1 }],
  status: 'PLACED',
  currency: 'EUR',
  totalQuantity: 1,
  createdAt: '2025-11-24T17:00:00.000Z',
  ...overrides,
});

describe('OrderStore', () => {
  let dynamodb: LocalDynamoDb;
  let store: OrderStore;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, orders.table!);
    store = new OrderStore({ tableName: TABLE, client: dynamodb.documents });
  });
  afterAll(async () => {
    await dynamodb.stop();
  });

  test('stores an order under pk ORDER#<id> and gives it back by id, without the key attribute', async () => {
    const placed = order('3f0e5c4a-8d1b-4a6f-9e2c-7b5a1d3c9e80', { note: 'ring twice' });
    await store.put(placed);
    expect(await dynamodb.scan(TABLE)).toContainEqual({ ...placed, pk: 'ORDER#3f0e5c4a-8d1b-4a6f-9e2c-7b5a1d3c9e80' });
    await expect(store.get(placed.id)).resolves.toEqual(placed);
  });

  test('gives undefined for an id it does not hold', async () => {
    await expect(store.get('00000000-0000-4000-8000-000000000000')).resolves.toBeUndefined();
  });

  test('refuses to overwrite an order with the same id and leaves the stored one as it was', async () => {
    const first = order('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
    await store.put(first);
    const rejection = store.put({ ...first, customerId: 'someone-else' });
    await expect(rejection).rejects.toBeInstanceOf(OrderAlreadyExistsError);
    await expect(store.get(first.id)).resolves.toEqual(first);
    const items = await dynamodb.scan(TABLE);
    expect(items.filter((item) => item.pk === orderKey(first.id))).toHaveLength(1);
  });
});
