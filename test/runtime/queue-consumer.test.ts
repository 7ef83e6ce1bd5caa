/**
 * The container queue consumer with the real SDK client against a loopback SQS that keeps real
 * visibility timeouts, receive counts and a redrive to a dead-letter queue, and with the batch
 * handler Lambda services use (`createEventConsumer`), so what is checked is the whole path a
 * container service's events take.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { QueueConsumer, type QueueConsumerProps } from '../../runtime/container/queue-consumer';
import { type EventHandlers, createEventConsumer } from '../../runtime/event-consumer';
import { DOMAIN_EVENTS } from '../../services/shared/domain-events';
import { CapturedOutput, captureOutput } from '../support/captured-output';
import { eventually } from '../support/eventually';
import { eventBridgeMessage, orderConfirmedMessage } from '../support/lambda-events';
import { QueueServer, startQueueServer } from '../support/queue-server';

/** Seconds a received message stays hidden; short, so a failed one comes back within the test. */
const VISIBILITY_SECONDS = 0.3;
const MAX_RECEIVE_COUNT = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('QueueConsumer', () => {
  let sqs: QueueServer;
  let queue: string;
  let deadLetters: string;
  let output: CapturedOutput;
  let consumer: QueueConsumer | undefined;
  const logger = new Logger({ serviceName: 'consumer-test', logLevel: 'DEBUG' });

  beforeEach(async () => {
    sqs = await startQueueServer();
    deadLetters = sqs.createQueue('shop-test-inventory-events-dlq');
    queue = sqs.createQueue('shop-test-inventory-events', { visibilityTimeoutSeconds: VISIBILITY_SECONDS, deadLetter: { queueUrl: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT } });
    output = captureOutput();
  });
  afterEach(async () => {
    try {
      await consumer?.stop();
    } finally {
      consumer = undefined;
      output.restore();
      await sqs.stop();
    }
  });

  const start = (handlers: EventHandlers<typeof DOMAIN_EVENTS>, overrides: Partial<QueueConsumerProps> = {}) => {
    consumer = new QueueConsumer({ queueUrl: queue, handle: createEventConsumer({ events: DOMAIN_EVENTS, handlers, logger }), client: sqs.client(), log: logger, waitSeconds: 1, backoffMs: 20, ...overrides });
    consumer.start();
    return consumer;
  };
  const logs = (message: string) => output.records().filter((line) => line.message === message);

  test('deletes the messages it handled and leaves a failing one, which comes back and reaches the dead-letter queue after maxReceiveCount receives', async () => {
    const attempts = new Map<string, number>();
    start({
      OrderConfirmed: async ({ orderId }) => {
        attempts.set(orderId, (attempts.get(orderId) ?? 0) + 1);
        if (orderId === 'o-flaky') throw new Error('the stock table is throttling');
      },
    });
    ['o-1', 'o-flaky', 'o-2'].forEach((id) => sqs.send(queue, orderConfirmedMessage(id)));

    await eventually(() => sqs.messages(deadLetters).length === 1);
    expect(sqs.messages(queue)).toEqual([]);
    expect(sqs.messages(deadLetters)).toEqual([expect.objectContaining({ body: expect.stringContaining('"orderId":"o-flaky"'), receiveCount: MAX_RECEIVE_COUNT })]);
    // Handled ones were deleted at once (handled once each); the failing one was tried on every receive.
    expect(Object.fromEntries(attempts)).toEqual({ 'o-1': 1, 'o-2': 1, 'o-flaky': MAX_RECEIVE_COUNT });
    expect(logs('event failed; it will be delivered again')).toHaveLength(MAX_RECEIVE_COUNT);
  });

  test('a malformed message (not JSON, wrong schema, unknown type) is refused with its reason and ends in the dead-letter queue, without holding up the others', async () => {
    const handled: string[] = [];
    start({ OrderConfirmed: async ({ orderId }) => void handled.push(orderId) });
    sqs.send(queue, 'this is not JSON');
    sqs.send(queue, eventBridgeMessage('OrderConfirmed', { orderId: 'o-bad', items: [{ productId: 'mill', quantity: 'four' }] }));
    sqs.send(queue, eventBridgeMessage('OrderShipped', { orderId: 'o-3' }));
    sqs.send(queue, orderConfirmedMessage('o-good'));

    // The good one is handled and deleted on its first receive, while the malformed ones are still in the queue.
    await eventually(() => handled.length === 1);
    await eventually(() => sqs.messages(queue).length === 3);
    expect(sqs.messages(queue).map((message) => message.body)).not.toContainEqual(expect.stringContaining('o-good'));
    expect(sqs.messages(deadLetters)).toEqual([]);

    await eventually(() => sqs.messages(deadLetters).length === 3);
    expect(sqs.messages(queue)).toEqual([]);
    expect(handled).toEqual(['o-good']);
    const reasons = logs('event refused: it goes to the dead-letter queue once its receives are used up').map((line) => line.reason);
    expect([...new Set(reasons)].sort()).toEqual([
      "detail-type 'OrderShipped' is not a known event type (OrderPlaced, OrderConfirmed, OrderRejected)",
      'detail.customerId is required; detail.items[0].quantity must be a number; detail.confirmedAt is required',
      'the body is not JSON',
    ]);
    expect(reasons).toHaveLength(3 * MAX_RECEIVE_COUNT);
  });

  test('a failed receive is logged and retried with backoff, and consuming goes on', async () => {
    const handled: string[] = [];
    sqs.failNext('ReceiveMessage', 2);
    start({ OrderConfirmed: async ({ orderId }) => void handled.push(orderId) });
    sqs.send(queue, orderConfirmedMessage('o-after-outage'));

    await eventually(() => handled.length === 1 && sqs.messages(queue).length === 0);
    const failures = logs('receiving from the queue failed; retrying');
    expect(failures.map((line) => line.consecutiveFailures)).toEqual([1, 2]);
    expect(failures[0]).toMatchObject({ level: 'ERROR', queueUrl: queue, error: expect.stringContaining('injected failure') });
    expect(sqs.calls('ReceiveMessage')).toBeGreaterThanOrEqual(3);
  });

  test('a failed delete is retried, so a handled message is not delivered again', async () => {
    const handled: string[] = [];
    sqs.failNext('DeleteMessageBatch', 1);
    start({ OrderConfirmed: async ({ orderId }) => void handled.push(orderId) });
    sqs.send(queue, orderConfirmedMessage('o-1'));

    await eventually(() => sqs.messages(queue).length === 0);
    expect(sqs.calls('DeleteMessageBatch')).toBe(2);
    expect(logs('deleting handled messages failed')).toEqual([expect.objectContaining({ attempt: 1, messages: 1, error: expect.stringContaining('injected failure') })]);
    // Past the visibility timeout: had the delete been given up, the message would be back.
    await sleep(VISIBILITY_SECONDS * 1000 + 200);
    expect(handled).toEqual(['o-1']);
  });

  test('on stop: receives no more, finishes the batch in hand (handled and deleted), then resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const finished: string[] = [];
    start({
      OrderConfirmed: async ({ orderId }) => {
        started.push(orderId);
        await gate;
        finished.push(orderId);
      },
    });
    sqs.send(queue, orderConfirmedMessage('o-1'));
    sqs.send(queue, orderConfirmedMessage('o-2'));
    await eventually(() => started.length === 2);

    let stopped = false;
    const stopping = consumer!.stop().then(() => (stopped = true));
    const receivesAtStop = sqs.calls('ReceiveMessage');
    sqs.send(queue, orderConfirmedMessage('o-late'));
    await sleep(300);
    expect(stopped).toBe(false);

    release();
    await stopping;
    expect(finished.sort()).toEqual(['o-1', 'o-2']);
    expect(sqs.messages(queue)).toEqual([expect.objectContaining({ body: expect.stringContaining('o-late'), receiveCount: 0 })]);
    await sleep(200);
    expect(sqs.calls('ReceiveMessage')).toBe(receivesAtStop);
    expect(logs('stopped consuming events')).toHaveLength(1);
  });

  test('on stop: abandons a long poll at once and receives no more', async () => {
    start({ OrderConfirmed: async () => undefined }, { waitSeconds: 20 });
    await eventually(() => sqs.calls('ReceiveMessage') === 1);
    const began = Date.now();
    await consumer!.stop();
    expect(Date.now() - began).toBeLessThan(1_000);
    // Once the queue has seen the connection go, a message sent is left for another consumer.
    await sleep(200);
    sqs.send(queue, orderConfirmedMessage('o-1'));
    await sleep(200);
    expect(sqs.messages(queue)).toEqual([expect.objectContaining({ receiveCount: 0 })]);
    expect(sqs.calls('ReceiveMessage')).toBe(1);
  });

  test.each([
    [{ batchSize: 11 }, /batchSize is 11; expected a whole number from 1 to 10/],
    [{ waitSeconds: 21 }, /waitSeconds is 21; expected a whole number from 0 to 20/],
    [{ deleteAttempts: 0 }, /deleteAttempts is 0; expected a whole number of at least 1/],
  ])('refuses %j', (overrides, message) => {
    expect(() => new QueueConsumer({ queueUrl: queue, handle: async () => ({ batchItemFailures: [] }), client: sqs.client(), log: logger, ...overrides })).toThrow(message);
  });
});
