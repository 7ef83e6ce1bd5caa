/**
 * The payments service's saga actions against dynalite: charges under the configured limit, one
 * charge per order however often it is asked, and refunds that undo exactly what was taken.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { ChargeStore, PARTITION_KEY, chargeKey } from '../../../services/payments/charge-store';
import { createPaymentActions } from '../../../services/payments/payment-actions';
import { payments } from '../../../services/payments/service';
import { lambdaContext } from '../../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const TABLE = 'payment-actions-test';
const NOW = new Date('2025-11-24T17:00:01.000Z');

describe('payments saga actions', () => {
  let dynamodb: LocalDynamoDb;
  let output: CapturedOutput;
  let store: ChargeStore;
  let act: ReturnType<typeof createPaymentActions>;
  let settingsReads = 0;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, payments.table!);
    output = captureOutput();
    store = new ChargeStore({ tableName: TABLE, client: dynamodb.documents });
    act = createPaymentActions({
      store,
      settings: {
        read: async () => {
          settingsReads += 1;
          return { maxChargeMinor: 50_000 };
        },
      },
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: TABLE, keyAttr: PARTITION_KEY, expiryAttr: 'expiration', awsSdkV3Client: dynamodb.client }),
      logger: new Logger({ serviceName: 'payments' }),
      now: () => NOW,
    });
  });
  afterAll(async () => {
    output.restore();
    await dynamodb.stop();
  });

  const command = (action: string, orderId: string, amountMinor?: number) => ({
    action,
    detail: { orderId, customerId: 'customer-42', items: [{ productId: 'grinder', quantity: 1 }], currency: 'EUR', placedAt: '2025-11-24T17:00:00.000Z' },
    results: amountMinor === undefined ? {} : { ReserveInventory: { orderId, amountMinor, lines: [], currency: 'EUR' } },
  });
  const chargeItems = async (orderId: string) => (await dynamodb.scan(TABLE)).filter((item) => item.pk === chargeKey(orderId));

  test('chargePayment takes the amount the reservation priced', async () => {
    const orderId = randomUUID();
    await expect(act(command('chargePayment', orderId, 13_800), lambdaContext())).resolves.toEqual({
      orderId,
      customerId: 'customer-42',
      amountMinor: 13_800,
      currency: 'EUR',
      status: 'CHARGED',
      chargedAt: NOW.toISOString(),
    });
    expect(await chargeItems(orderId)).toHaveLength(1);
  });

  test('a retried chargePayment answers the first charge and takes nothing more', async () => {
    const orderId = randomUUID();
    const first = await act(command('chargePayment', orderId, 2_000), lambdaContext());
    const reads = settingsReads;
    const retry = await act(command('chargePayment', orderId, 2_000), lambdaContext());
    expect(retry).toEqual(first);
    expect(settingsReads).toBe(reads);
    expect(await chargeItems(orderId)).toHaveLength(1);
  });

  test('a charge above the configured limit is declined with PaymentDeclined and nothing is stored', async () => {
    const orderId = randomUUID();
    await expect(act(command('chargePayment', orderId, 50_001), lambdaContext())).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(await chargeItems(orderId)).toEqual([]);
  });

  test('refundPayment (the compensation) refunds a taken charge once, and does nothing without one', async () => {
    const orderId = randomUUID();
    await act(command('chargePayment', orderId, 4_000), lambdaContext());

    await expect(act(command('refundPayment', orderId), lambdaContext())).resolves.toEqual({ orderId, refunded: true });
    await expect(act(command('refundPayment', orderId), lambdaContext())).resolves.toEqual({ orderId, refunded: false });
    await expect(store.get(orderId)).resolves.toMatchObject({ status: 'REFUNDED', refundedAt: NOW.toISOString(), amountMinor: 4_000 });
    // After a declined charge there is nothing to refund.
    await expect(act(command('refundPayment', randomUUID()), lambdaContext())).resolves.toMatchObject({ refunded: false });
  });

  test('chargePayment without the reservation result is an InvalidCommand', async () => {
    await expect(act(command('chargePayment', randomUUID()), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidCommand',
      message: 'chargePayment needs results.ReserveInventory.amountMinor from the reservation step',
    });
    await expect(act(command('teleport', randomUUID()), lambdaContext())).rejects.toThrow('action must be one of "chargePayment", "refundPayment"');
  });
});
