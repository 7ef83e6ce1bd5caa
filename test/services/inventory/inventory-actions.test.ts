/**
 * The inventory's saga actions and event handler against dynalite: holds, their compensation,
 * commits, and idempotency.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { createInventoryActions } from '../../../services/inventory/inventory-actions';
import { inventory } from '../../../services/inventory/service';
import { PARTITION_KEY, StockStore } from '../../../services/inventory/stock-store';
import { lambdaContext } from '../../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const TABLE = 'inventory-actions-test';

describe('inventory saga actions', () => {
  let dynamodb: LocalDynamoDb;
  let output: CapturedOutput;
  let store: StockStore;
  let actions: ReturnType<typeof createInventoryActions>;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, inventory.table!);
    output = captureOutput();
    store = new StockStore({ tableName: TABLE, client: dynamodb.documents });
    actions = createInventoryActions({
      store,
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: TABLE, keyAttr: PARTITION_KEY, expiryAttr: 'expiration', awsSdkV3Client: dynamodb.client }),
      logger: new Logger({ serviceName: 'inventory' }),
    });
  });
  afterAll(async () => {
    output.restore();
    await dynamodb.stop();
  });

  /** Fresh products (unique ids), so tests do not share stock. */
  const products = async (...stock: [available: number, unitPriceMinor: number][]) => {
    const ids = stock.map(() => `p-${randomUUID().slice(0, 8)}`);
    for (const [i, [available, unitPriceMinor]] of stock.entries()) await store.setProduct(ids[i], { available, unitPriceMinor }, { absent: true });
    return ids;
  };
  const command = (action: string, orderId: string, items: { productId: string; quantity: number }[]) => ({
    action,
    detail: { orderId, customerId: 'customer-42', items, currency: 'EUR', placedAt: '2025-11-24T17:00:00.000Z' },
    results: {},
  });

  test('reserveStock holds every line and answers with the price of what it holds', async () => {
    const [beans, grinder] = await products([10, 450], [3, 12_900]);
    const orderId = randomUUID();
    const reservation = await actions.sagaAction(command('reserveStock', orderId, [{ productId: beans, quantity: 2 }, { productId: grinder, quantity: 1 }]), lambdaContext());

    expect(reservation).toEqual({
      orderId,
      lines: [{ productId: beans, quantity: 2, unitPriceMinor: 450 }, { productId: grinder, quantity: 1, unitPriceMinor: 12_900 }],
      amountMinor: 13_800,
      currency: 'EUR',
    });
    await expect(store.getProduct(beans)).resolves.toEqual({ productId: beans, available: 8, held: 2, unitPriceMinor: 450, version: 2 });
    await expect(store.getProduct(grinder)).resolves.toEqual({ productId: grinder, available: 2, held: 1, unitPriceMinor: 12_900, version: 2 });
  });

  test('a retried reserveStock answers the same and holds nothing more', async () => {
    const [beans] = await products([10, 450]);
    const request = command('reserveStock', randomUUID(), [{ productId: beans, quantity: 4 }]);
    const first = await actions.sagaAction(request, lambdaContext());
    const retry = await actions.sagaAction(request, lambdaContext());
    expect(retry).toEqual(first);
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 6, held: 4 });
  });

  test('when one line cannot be held, the lines held before it are released and OutOfStock is raised', async () => {
    const [beans, grinder] = await products([10, 450], [1, 12_900]);
    const reserve = actions.sagaAction(command('reserveStock', randomUUID(), [{ productId: beans, quantity: 2 }, { productId: grinder, quantity: 5 }]), lambdaContext());
    await expect(reserve).rejects.toMatchObject({ name: 'OutOfStock', message: `5 of ${grinder} asked, 1 available` });
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 10, held: 0 });
    await expect(store.getProduct(grinder)).resolves.toMatchObject({ available: 1, held: 0 });
  });

  test('an unknown product is refused with UnknownProduct', async () => {
    await expect(actions.sagaAction(command('reserveStock', randomUUID(), [{ productId: 'no-such-product', quantity: 1 }]), lambdaContext())).rejects.toMatchObject({
      name: 'UnknownProduct',
    });
  });

  test('releaseStock (the compensation) gives held stock back, and repeating it or releasing an order that holds nothing changes nothing', async () => {
    const [beans, grinder] = await products([10, 450], [3, 12_900]);
    const orderId = randomUUID();
    const items = [{ productId: beans, quantity: 2 }, { productId: grinder, quantity: 1 }];
    await actions.sagaAction(command('reserveStock', orderId, items), lambdaContext());

    await expect(actions.sagaAction(command('releaseStock', orderId, items), lambdaContext())).resolves.toEqual({ orderId, released: 2 });
    await expect(actions.sagaAction(command('releaseStock', orderId, items), lambdaContext())).resolves.toEqual({ orderId, released: 0 });
    await expect(actions.sagaAction(command('releaseStock', randomUUID(), items), lambdaContext())).resolves.toMatchObject({ released: 0 });
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 10, held: 0 });
    await expect(store.getProduct(grinder)).resolves.toMatchObject({ available: 3, held: 0 });
  });

  test('OrderConfirmed commits the holds: the units leave with the order, once', async () => {
    const [beans] = await products([10, 450]);
    const orderId = randomUUID();
    const items = [{ productId: beans, quantity: 3 }];
    await actions.sagaAction(command('reserveStock', orderId, items), lambdaContext());
    const confirmed = { orderId, customerId: 'customer-42', items, confirmedAt: '2025-11-24T17:00:02.000Z' };

    await actions.orderConfirmed(confirmed);
    await actions.orderConfirmed(confirmed);
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 7, held: 0 });
    // A release after the commit has nothing left to give back.
    await expect(actions.sagaAction(command('releaseStock', orderId, items), lambdaContext())).resolves.toMatchObject({ released: 0 });
  });

  test('setting a stock level keeps the holds of open orders', async () => {
    const [beans] = await products([10, 450]);
    await actions.sagaAction(command('reserveStock', randomUUID(), [{ productId: beans, quantity: 2 }]), lambdaContext());
    // Created at version 1, the hold made it 2.
    await expect(store.setProduct(beans, { available: 50, unitPriceMinor: 500 }, { version: 2 })).resolves.toEqual({ productId: beans, available: 50, held: 2, unitPriceMinor: 500, version: 3 });
  });

  test('every hold, release and commit raises the version, so a stock write made before it is refused', async () => {
    const [beans] = await products([10, 450]);
    const orderId = randomUUID();
    const items = [{ productId: beans, quantity: 3 }];
    await actions.sagaAction(command('reserveStock', orderId, items), lambdaContext());
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 7, held: 3, version: 2 });
    await actions.sagaAction(command('releaseStock', orderId, items), lambdaContext());
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 10, held: 0, version: 3 });
    const confirmedId = randomUUID();
    await actions.sagaAction(command('reserveStock', confirmedId, items), lambdaContext());
    await actions.orderConfirmed({ orderId: confirmedId, customerId: 'customer-42', items, confirmedAt: '2025-11-24T17:00:02.000Z' });
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 7, held: 0, version: 5 });
    await expect(store.setProduct(beans, { available: 10, unitPriceMinor: 450 }, { version: 1 })).rejects.toMatchObject({
      name: 'StaleStockError',
      expectedVersion: 1,
      current: { available: 7, held: 0, version: 5 },
    });
    await expect(store.getProduct(beans)).resolves.toMatchObject({ available: 7, version: 5 });
  });

  test('refuses a command that does not fit, or an action it does not have, as InvalidCommand', async () => {
    await expect(actions.sagaAction({ action: 'reserveStock', detail: { orderId: 'o' } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidCommand' });
    await expect(actions.sagaAction(command('teleportStock', 'o', [{ productId: 'a', quantity: 1 }]), lambdaContext())).rejects.toThrow('action must be one of "reserveStock", "releaseStock"');
  });
});
