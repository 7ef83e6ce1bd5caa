/**
 * The inventory's deployed entry point with its real SDK clients against dynalite: its routes, its
 * queue (partial batch responses; an event that fails its schema is refused, logged with the reason,
 * and left for the dead-letter queue) and its saga actions.
 */
import type { APIGatewayProxyResult, SQSBatchResponse } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { handler as InventoryHandler } from '../../../services/inventory/handler';
import { inventory } from '../../../services/inventory/service';
import { apiGatewayEvent, lambdaContext } from '../../support/api-gateway-events';
import { localLambdaEnvironment } from '../../support/aws-test-settings';
import { CapturedOutput, captureOutput } from '../../support/captured-output';
import { eventBridgeMessage, sqsEvent } from '../../support/lambda-events';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';

const TABLE = 'shop-test-inventory';

describe('inventory handler', () => {
  const savedEnv = { ...process.env };
  let dynamodb: LocalDynamoDb;
  let output: CapturedOutput;
  let handler: typeof InventoryHandler;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, inventory.table!);
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    Object.assign(process.env, { ...localLambdaEnvironment('inventory', { dynamodb: dynamodb.endpoint }), TABLE_NAME: TABLE });
    output = captureOutput();
    handler = (require('../../../services/inventory/handler') as { handler: typeof InventoryHandler }).handler;
  });
  afterAll(async () => {
    output.restore();
    await dynamodb.stop();
    process.env = savedEnv;
  });

  const http = async (method: string, productId: string, body?: unknown) =>
    (await handler(
      apiGatewayEvent({ method, resource: '/stock/{productId}', path: `/stock/${productId}`, pathParameters: { productId }, body }),
      lambdaContext('shop-dev-inventory'),
    )) as APIGatewayProxyResult;
  const receive = async (bodies: string[]) => (await handler(sqsEvent(bodies), lambdaContext('shop-dev-inventory'))) as SQSBatchResponse;

  test('PUT sets a product and GET answers with it; bad input is a 400 naming the field', async () => {
    const put = await http('PUT', 'kettle', { available: 5, unitPriceMinor: 3_500 });
    expect(put.statusCode).toBe(200);
    expect(JSON.parse(put.body)).toEqual({ productId: 'kettle', available: 5, held: 0, unitPriceMinor: 3_500 });
    expect(JSON.parse((await http('GET', 'kettle')).body)).toEqual({ productId: 'kettle', available: 5, held: 0, unitPriceMinor: 3_500 });
    expect((await http('GET', 'teapot')).statusCode).toBe(404);
    const bad = await http('PUT', 'kettle', { available: -2, unitPriceMinor: 3_500 });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.fields).toEqual([{ path: 'available', message: 'must be at least 0' }]);
  });

  test('an event that fails its schema is reported alone, with the reason logged, so it reaches the dead-letter queue; the others are done', async () => {
    await http('PUT', 'mill', { available: 10, unitPriceMinor: 100 });
    const orderId = randomUUID();
    const items = [{ productId: 'mill', quantity: 4 }];
    await handler(
      { action: 'reserveStock', detail: { orderId, customerId: 'c-1', items, currency: 'EUR', placedAt: 'x' }, results: {} },
      lambdaContext('shop-dev-inventory'),
    );
    const good = eventBridgeMessage('OrderConfirmed', { orderId, customerId: 'c-1', items, confirmedAt: '2025-11-24T17:00:02.000Z' });
    const badSchema = eventBridgeMessage('OrderConfirmed', { orderId, items: [{ productId: 'mill', quantity: 'four' }] });
    const notJson = 'this is not an event';
    const event = sqsEvent([badSchema, good, notJson], 3);
    output.clear();

    const response = (await handler(event, lambdaContext('shop-dev-inventory'))) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }, { itemIdentifier: event.Records[2].messageId }]);
    expect(JSON.parse((await http('GET', 'mill')).body)).toMatchObject({ available: 6, held: 0 });
    const refusals = output.records().filter((record) => record.message === 'event refused: it goes to the dead-letter queue once its receives are used up');
    expect(refusals).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        messageId: event.Records[0].messageId,
        eventType: 'OrderConfirmed',
        receiveCount: 3,
        reason: 'detail.customerId is required; detail.items[0].quantity must be a number; detail.confirmedAt is required',
      }),
      expect.objectContaining({ messageId: event.Records[2].messageId, reason: 'the body is not JSON' }),
    ]);
  });

  test('an event type the service does not handle is refused too, never silently dropped', async () => {
    const message = eventBridgeMessage('OrderRejected', { orderId: 'o', customerId: 'c', reason: 'r', rejectedAt: 't' });
    const response = await receive([message]);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(output.records()).toContainEqual(expect.objectContaining({ eventType: 'OrderRejected', reason: 'this service has no handler for the event type' }));
  });

  test('an unknown event type is refused naming detail-type', async () => {
    output.clear();
    const response = await receive([eventBridgeMessage('OrderTeleported', {})]);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(output.records()).toContainEqual(expect.objectContaining({ reason: expect.stringMatching(/^detail-type 'OrderTeleported' is not a known event type/) }));
  });

  test('refuses an invocation it does not serve', async () => {
    await expect(handler({ Records: [{ eventSource: 'aws:kinesis' }] }, lambdaContext('shop-dev-inventory'))).rejects.toThrow(/does not serve/);
  });
});
