import { DOMAIN_EVENTS, checkDomainEvent, isDomainEventType } from '../../../services/shared/domain-events';
import { EventPublisher, InvalidEventError } from '../../../runtime/event-publisher';
import { lambdaEventKind } from '../../../runtime/lambda-event';
import { BusinessRuleError, failureReason } from '../../../runtime/saga-command';
import { EventBusServer, startEventBusServer } from '../../support/event-bus-server';
import { eventBridgeMessage, insertRecord, sqsEvent, streamEvent } from '../../support/lambda-events';
import { apiGatewayEvent } from '../../support/api-gateway-events';

const placed = { orderId: 'o-1', customerId: 'c-1', items: [{ productId: 'grinder', quantity: 1 }], currency: 'EUR', placedAt: '2025-11-24T17:00:00.000Z' };

describe('domain event schemas', () => {
  test('every published event type has a schema', () => {
    expect(Object.keys(DOMAIN_EVENTS).sort()).toEqual(['OrderConfirmed', 'OrderPlaced', 'OrderRejected']);
    expect(isDomainEventType('OrderPlaced')).toBe(true);
    expect(isDomainEventType('toString')).toBe(false);
  });

  test('a detail that fits is given back typed; one that does not names each field under detail', () => {
    expect(checkDomainEvent('OrderPlaced', placed)).toEqual({ ok: true, value: { type: 'OrderPlaced', detail: placed } });
    expect(checkDomainEvent('OrderPlaced', { ...placed, items: [], currency: 'euro' })).toEqual({
      ok: false,
      problems: [
        { path: 'detail.items', message: 'must have at least 1 entry' },
        { path: 'detail.currency', message: 'must match /^[A-Z]{3}$/' },
      ],
    });
  });

  test('a field a consumer does not know yet does not break it', () => {
    expect(checkDomainEvent('OrderPlaced', { ...placed, channel: 'mobile' }).ok).toBe(true);
  });
});

describe('EventPublisher', () => {
  let bus: EventBusServer;
  beforeAll(async () => {
    bus = await startEventBusServer();
  });
  afterAll(async () => {
    await bus.stop();
  });
  const publisher = () => new EventPublisher({ events: DOMAIN_EVENTS, busName: 'shop-test-events', source: 'orders', client: bus.client() });

  test('publishes checked events with the type as detail-type and the service as source, in calls of ten', async () => {
    const events = Array.from({ length: 12 }, (_, i) => ({ type: 'OrderPlaced' as const, detail: { ...placed, orderId: `batch-${i}` } }));
    await publisher().publish(events);
    const received = bus.received.filter((event) => String((event.detail as { orderId: string }).orderId).startsWith('batch-'));
    expect(received).toHaveLength(12);
    expect(received[0]).toEqual({ EventBusName: 'shop-test-events', Source: 'orders', DetailType: 'OrderPlaced', detail: events[0].detail });
  });

  test('refuses an event that fails its schema and sends none of the batch', async () => {
    const before = bus.received.length;
    const bad = { type: 'OrderRejected' as const, detail: { orderId: 'o-2', customerId: 'c-1', reason: '', rejectedAt: 'now' } };
    const publish = publisher().publish([{ type: 'OrderPlaced', detail: placed }, bad]);
    await expect(publish).rejects.toBeInstanceOf(InvalidEventError);
    await expect(publisher().publish([bad])).rejects.toThrow('refused to publish OrderRejected: detail.reason must not be empty');
    expect(bus.received).toHaveLength(before);
  });

  test('raises when the bus refuses an entry, naming it, so the caller retries', async () => {
    bus.failNext(1);
    await expect(publisher().publish([{ type: 'OrderPlaced', detail: placed }])).rejects.toThrow('EventBridge refused 1 of 1 events: OrderPlaced: InternalFailure stand-in failure');
  });
});

describe('saga commands', () => {
  test('the rejection reason is the caught error name and the Lambda error message', () => {
    const cause = JSON.stringify({ errorType: 'OutOfStock', errorMessage: '5 of grinder asked, 1 available', trace: [] });
    expect(failureReason({ Error: 'OutOfStock', Cause: cause })).toBe('OutOfStock: 5 of grinder asked, 1 available');
    expect(failureReason({ Error: 'States.Timeout', Cause: 'the task timed out' })).toBe('States.Timeout: the task timed out');
    expect(failureReason({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(failureReason(undefined)).toBe('the saga failed for an unknown reason');
  });

  test('a business refusal carries its rule as the error name', () => {
    expect(new BusinessRuleError('OutOfStock', 'none left')).toMatchObject({ name: 'OutOfStock', message: 'none left' });
  });
});

describe('lambdaEventKind', () => {
  test.each([
    ['an API Gateway request', apiGatewayEvent({ method: 'GET', resource: '/orders/{id}' }), 'http'],
    ['an SQS batch', sqsEvent([eventBridgeMessage('OrderPlaced', placed)]), 'queue'],
    ['a DynamoDB stream batch', streamEvent([insertRecord({ streamId: 's', version: 1 })]), 'stream'],
    ['a saga command', { action: 'reserveStock', detail: placed }, 'saga'],
    ['anything else', { Records: [] }, 'unknown'],
    ['nothing', null, 'unknown'],
  ])('tells %s', (_case, event, kind) => {
    expect(lambdaEventKind(event)).toBe(kind);
  });
});
