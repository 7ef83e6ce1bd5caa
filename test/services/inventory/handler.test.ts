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

  const http = async (method: string, productId: string, body?: unknown, headers: Record<string, string> = method === 'PUT' ? { 'If-None-Match': '*' } : {}) =>
    (await handler(
      apiGatewayEvent({ method, resource: '/stock/{productId}', path: `/stock/${productId}`, pathParameters: { productId }, body, headers }),
      lambdaContext('shop-dev-inventory'),
    )) as APIGatewayProxyResult;
  const reserve = (orderId: string, items: { productId: string; quantity: number }[]) =>
    handler({ action: 'reserveStock', detail: { orderId, customerId: 'c-1', items, currency: 'EUR', placedAt: 'x' }, results: {} }, lambdaContext('shop-dev-inventory'));
  const receive = async (bodies: string[]) => (await handler(sqsEvent(bodies), lambdaContext('shop-dev-inventory'))) as SQSBatchResponse;

  test('PUT creates a product and GET answers with it and its version as ETag; bad input is a 400 naming the field', async () => {
    const put = await http('PUT', 'kettle', { available: 5, unitPriceMinor: 3_500 });
    expect(put.statusCode).toBe(201);
    expect(put.headers).toMatchObject({ etag: '"1"', location: '/stock/kettle' });
    expect(JSON.parse(put.body)).toEqual({ productId: 'kettle', available: 5, held: 0, unitPriceMinor: 3_500, version: 1 });
    const get = await http('GET', 'kettle');
    expect(get.headers).toMatchObject({ etag: '"1"' });
    expect(JSON.parse(get.body)).toEqual({ productId: 'kettle', available: 5, held: 0, unitPriceMinor: 3_500, version: 1 });
    expect((await http('GET', 'teapot')).statusCode).toBe(404);
    const bad = await http('PUT', 'kettle', { available: -2, unitPriceMinor: 3_500 }, { 'If-Match': '"1"' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.fields).toEqual([{ path: 'available', message: 'must be at least 0' }]);
  });

  describe('stock writes are optimistic', () => {
    const stock = { available: 10, unitPriceMinor: 900 };

    test('an operator who read the stock before five orders held a unit each cannot write the old level back: 412 naming what changed', async () => {
      expect((await http('PUT', 'dripper', stock)).statusCode).toBe(201);
      const read = await http('GET', 'dripper');
      expect(JSON.parse(read.body)).toMatchObject({ available: 10, held: 0 });
      for (let order = 0; order < 5; order += 1) await reserve(randomUUID(), [{ productId: 'dripper', quantity: 1 }]);

      const stale = await http('PUT', 'dripper', stock, { 'If-Match': read.headers!.etag as string });

      expect(stale.statusCode).toBe(412);
      expect(stale.headers).toMatchObject({ etag: '"6"', 'content-type': 'application/json' });
      expect(JSON.parse(stale.body)).toEqual({
        error: {
          code: 'precondition_failed',
          message: 'the stock of dripper changed since version 1: it is at version 6 now (available 5, held 5, unitPriceMinor 900); read it again and write with If-Match: "6"',
          fields: [{ path: 'If-Match', message: 'is "1", but the stock is at "6" now' }],
        },
      });
      // Ten units exist: five available, five held. The stale write would have made it fifteen.
      expect(JSON.parse((await http('GET', 'dripper')).body)).toMatchObject({ available: 5, held: 5, version: 6 });
      const fresh = await http('PUT', 'dripper', { available: 8, unitPriceMinor: 900 }, { 'If-Match': '"6"' });
      expect(fresh.statusCode).toBe(200);
      expect(JSON.parse(fresh.body)).toMatchObject({ available: 8, held: 5, version: 7 });
    });

    test('of concurrent writers who read the same version, exactly one wins; the others get 412', async () => {
      expect((await http('PUT', 'tamper', stock)).statusCode).toBe(201);
      const answers = await Promise.all(Array.from({ length: 8 }, (_, writer) => http('PUT', 'tamper', { available: writer, unitPriceMinor: 900 }, { 'If-Match': '"1"' })));
      const statuses = answers.map((answer) => answer.statusCode).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
      const winner = JSON.parse(answers.find((answer) => answer.statusCode === 200)!.body) as { available: number };
      expect(JSON.parse((await http('GET', 'tamper')).body)).toMatchObject({ available: winner.available, version: 2 });
    });

    test('creating a product that exists, or updating one that does not, is a 412', async () => {
      expect((await http('PUT', 'carafe', stock)).statusCode).toBe(201);
      const again = await http('PUT', 'carafe', stock);
      expect(again.statusCode).toBe(412);
      expect(JSON.parse(again.body).error.fields).toEqual([{ path: 'If-None-Match', message: 'is *, but the product exists at "1"' }]);
      const missing = await http('PUT', 'no-such-carafe', stock, { 'If-Match': '"1"' });
      expect(missing.statusCode).toBe(412);
      expect(JSON.parse(missing.body).error.message).toBe('there is no product no-such-carafe to update; create it with If-None-Match: *');
      expect((await dynamodb.scan(TABLE)).map((item) => item.pk)).not.toContain('PRODUCT#no-such-carafe');
    });

    test.each([
      ['no precondition', {}, 428, 'If-Match'],
      ['If-Match: *', { 'If-Match': '*' }, 400, 'If-Match'],
      ['a weak ETag', { 'If-Match': 'W/"1"' }, 400, 'If-Match'],
      ['If-None-Match other than *', { 'If-None-Match': '"1"' }, 400, 'If-None-Match'],
      ['both headers', { 'If-Match': '"1"', 'If-None-Match': '*' }, 400, 'If-None-Match'],
    ])('a write with %s is refused naming the header, and changes nothing', async (_case, headers, status, field) => {
      await http('PUT', 'cups', stock);
      const before = await dynamodb.scan(TABLE);
      const answer = await http('PUT', 'cups', { available: 99, unitPriceMinor: 1 }, headers);
      expect(answer.statusCode).toBe(status);
      expect(JSON.parse(answer.body).error.fields.map((f: { path: string }) => f.path)).toEqual([field]);
      expect(await dynamodb.scan(TABLE)).toEqual(before);
    });
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
