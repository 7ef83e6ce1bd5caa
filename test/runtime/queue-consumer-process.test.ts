/**
 * A container service that consumes events, as a real process: a small entry that calls
 * `runContainerProcess` with an `events` handler is bundled as the Dockerfiles bundle (`npm run
 * bundle:container`), started with `node` and the environment its task or pod gets (`EVENT_QUEUE_URL`
 * pointing at a loopback SQS), fed domain events through the queue, then stopped with SIGTERM.
 */
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-test-settings';
import { RunningProcess, bundleContainerEntry, startProcess } from '../support/container-process';
import { eventually } from '../support/eventually';
import { orderConfirmedMessage } from '../support/lambda-events';
import { QueueServer, startQueueServer } from '../support/queue-server';

describe('a container process that consumes events', () => {
  let bundle: string;
  let sqs: QueueServer;
  let queue: string;
  let deadLetters: string;

  beforeAll(async () => {
    bundle = bundleContainerEntry('test/support/event-consuming-server.ts');
    sqs = await startQueueServer();
  }, 60_000);
  afterAll(() => sqs.stop());
  beforeEach(() => {
    const name = `shop-test-events-${Math.random().toString(36).slice(2, 8)}`;
    deadLetters = sqs.createQueue(`${name}-dlq`);
    queue = sqs.createQueue(name, { visibilityTimeoutSeconds: 1, deadLetter: { queueUrl: deadLetters, maxReceiveCount: 2 } });
  });

  const start = (env: Record<string, string> = { EVENT_QUEUE_URL: queue }): RunningProcess =>
    startProcess(bundle, {
      PORT: '0',
      DRAIN_SECONDS: '5',
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      // The SDK sends each call to its queue URL's host; naming the same endpoint spares it a warning per call.
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      ...env,
    });

  test('consumes domain events from its queue beside its HTTP server, outlives failing receives, and exits 0 on SIGTERM', async () => {
    // More 500s than the SDK retries by itself (3 attempts), so the consumer's own retry is what carries on.
    sqs.failNext('ReceiveMessage', 3);
    const server = start();
    const port = Number((await server.waitForLog((line) => line.message === 'listening')).port);
    expect(await server.waitForLog((line) => line.message === 'consuming events')).toMatchObject({ queueUrl: queue });
    await server.waitForLog((line) => line.message === 'receiving from the queue failed; retrying');

    sqs.send(queue, orderConfirmedMessage('o-1'));
    sqs.send(queue, orderConfirmedMessage('fail-o-2'));
    await server.waitForLog((line) => line.message === 'order confirmed handled' && line.orderId === 'o-1');
    const answer = await fetch(`http://127.0.0.1:${port}/handled`);
    expect(await answer.json()).toEqual({ handled: ['o-1'] });

    // The handled one is deleted; the failing one comes back once and then goes to the dead-letter queue.
    await eventually(() => sqs.messages(deadLetters).length === 1);
    expect(sqs.messages(queue)).toEqual([]);
    expect(sqs.messages(deadLetters)).toEqual([expect.objectContaining({ body: expect.stringContaining('fail-o-2'), receiveCount: 2 })]);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const messages = server.logs().map((line) => line.message);
    expect(messages).toEqual(expect.arrayContaining(['signal received', 'drained', 'stopped consuming events']));
    expect(server.logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'event failed; it will be delivered again', service: 'event-consuming-test' }));
  }, 30_000);

  test('on SIGTERM with a batch in hand: receives no more, finishes and deletes the batch, then exits 0', async () => {
    const server = start();
    await server.waitForLog((line) => line.message === 'consuming events');
    sqs.send(queue, orderConfirmedMessage('slow-o-1'));
    await server.waitForLog((line) => line.message === 'order confirmed started');
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.message === 'signal received');
    const receivesAtSignal = sqs.calls('ReceiveMessage');
    sqs.send(queue, orderConfirmedMessage('o-late'));

    expect(await server.exited).toBe(0);
    const messages = server.logs().map((line) => line.message);
    // The handler finished before the consumer said it stopped, and that before the process ended.
    expect(messages.indexOf('order confirmed handled')).toBeGreaterThan(messages.indexOf('signal received'));
    expect(messages.indexOf('stopped consuming events')).toBeGreaterThan(messages.indexOf('order confirmed handled'));
    expect(sqs.messages(queue)).toEqual([expect.objectContaining({ body: expect.stringContaining('o-late'), receiveCount: 0 })]);
    expect(sqs.calls('ReceiveMessage')).toBe(receivesAtSignal);
  }, 30_000);

  test('on SIGTERM stops receiving at once, while the HTTP server still drains its requests', async () => {
    const server = start();
    const port = Number((await server.waitForLog((line) => line.message === 'listening')).port);
    await server.waitForLog((line) => line.message === 'consuming events');
    const slow = fetch(`http://127.0.0.1:${port}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.message === 'stopped consuming events');
    // The request is still in flight, and a message sent now is left for another consumer.
    sqs.send(queue, orderConfirmedMessage('o-during-drain'));
    expect((await slow).status).toBe(200);
    expect(await server.exited).toBe(0);
    const messages = server.logs().map((line) => line.message);
    expect(messages.indexOf('stopped consuming events')).toBeLessThan(messages.indexOf('drained'));
    expect(sqs.messages(queue)).toEqual([expect.objectContaining({ body: expect.stringContaining('o-during-drain'), receiveCount: 0 })]);
  }, 30_000);

  test('does not start when it consumes events but EVENT_QUEUE_URL is not set, and says so', async () => {
    const server = start({});
    expect(await server.exited).toBe(1);
    expect(server.logs()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'could not start', error: expect.objectContaining({ message: expect.stringContaining('environment variable EVENT_QUEUE_URL is not set') }) }),
    );
  }, 20_000);
});
