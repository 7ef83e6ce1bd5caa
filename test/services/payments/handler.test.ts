/**
 * The payments service's deployed entry point with its real SDK clients against dynalite and a fake
 * Parameter Store: the per-charge limit comes from the config store.
 */
import { randomUUID } from 'node:crypto';
import type { handler as PaymentsHandler } from '../../../services/payments/handler';
import { payments } from '../../../services/payments/service';
import { lambdaContext } from '../../support/api-gateway-events';
import { localLambdaEnvironment } from '../../support/aws-test-settings';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';
import { ParameterStoreServer, startParameterStoreServer } from '../../support/parameter-store-server';

const TABLE = 'shop-test-payments';
const CONFIG_PATH = '/shop/test/payments';

describe('payments handler', () => {
  const savedEnv = { ...process.env };
  let dynamodb: LocalDynamoDb;
  let parameterStore: ParameterStoreServer;
  let output: CapturedOutput;
  let handler: typeof PaymentsHandler;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, payments.table!);
    parameterStore = await startParameterStoreServer({ [`${CONFIG_PATH}/maxChargeMinor`]: '5000' });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    Object.assign(process.env, { ...localLambdaEnvironment('payments', { dynamodb: dynamodb.endpoint, ssm: parameterStore.endpoint }), TABLE_NAME: TABLE, CONFIG_PATH });
    output = captureOutput();
    handler = (require('../../../services/payments/handler') as { handler: typeof PaymentsHandler }).handler;
  });
  afterAll(async () => {
    output.restore();
    await parameterStore.stop();
    await dynamodb.stop();
    process.env = savedEnv;
  });

  const charge = (amountMinor: number) => {
    const orderId = randomUUID();
    return handler(
      {
        action: 'chargePayment',
        detail: { orderId, customerId: 'customer-42', items: [{ productId: 'grinder', quantity: 1 }], currency: 'EUR', placedAt: '2025-11-24T17:00:00.000Z' },
        results: { ReserveInventory: { amountMinor } },
      },
      lambdaContext('shop-dev-payments'),
    );
  };

  test('charges within the limit the config store holds, and declines above it', async () => {
    await expect(charge(5000)).resolves.toMatchObject({ status: 'CHARGED', amountMinor: 5000 });
    await expect(charge(5001)).rejects.toMatchObject({ name: 'PaymentDeclined', message: expect.stringContaining('above the limit of 5000 per charge') });
    expect(parameterStore.getParametersByPathCalls).toBe(1);
  });

  test('logs under the invocation and refuses an invocation it does not serve', async () => {
    output.clear();
    await charge(100);
    expect(output.records()).toContainEqual(expect.objectContaining({ message: 'payment charged', service: 'payments', function_name: 'shop-dev-payments' }));
    await expect(handler({ Records: [{ eventSource: 'aws:sqs' }] }, lambdaContext('shop-dev-payments'))).rejects.toThrow(/does not serve/);
  });
});
