/**
 * Receiving a container service's domain events from its own queue: the counterpart of Lambda's
 * SQS event source mapping for a process that runs all the time. It long-polls the queue, hands each
 * batch as an `SQSEvent` to the same batch handler a Lambda service uses (`createEventConsumer`, so
 * every message is checked and dispatched by one piece of code), deletes the messages the handler
 * did not report as failed, and leaves the failed ones alone: they come back after the queue's
 * visibility timeout, and after its `maxReceiveCount` receives SQS moves them to the dead-letter queue.
 *
 * One batch at a time: the next receive starts once the batch in hand is handled and deleted, so at
 * most `batchSize` messages (up to 10, handled in parallel by the batch processor) are in hand at once.
 * A failed receive or delete is logged and retried with backoff; nothing here ends the process.
 * `stop()` stops receiving (a long poll waiting for messages is abandoned; a message SQS hands it in
 * that instant comes back after the visibility timeout), lets the batch in hand finish, and resolves.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SERVICE_ENVIRONMENT } from '../../constructs/model/service-contract';
import { requiredEnv } from '../environment';
import { createEventConsumer, type EventHandlers } from '../event-consumer';
import type { EventSchemas } from '../events';

/** Handles one batch and reports the messages that failed, as a Lambda SQS handler with partial batch responses does. */
export type QueueBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What the consumer logs through. */
export type QueueConsumerLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Properties of a {@link QueueConsumer}. */
export interface QueueConsumerProps {
  /** The queue to receive from, `EVENT_QUEUE_URL` in a deployed service. */
  readonly queueUrl: string;
  /** Handles each batch received; `createEventConsumer` makes one. */
  readonly handle: QueueBatchHandler;
  /** Client to reach SQS with; create it once per process. */
  readonly client: SQSClient;
  readonly log: QueueConsumerLog;
  /**
   * Messages asked for per receive, 1 to 10.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Seconds a receive waits for messages when the queue is empty (long polling), 0 to 20.
   * @default 20
   */
  readonly waitSeconds?: number;
  /**
   * Milliseconds of the first backoff after a failed receive or delete; each next one doubles up to
   * `maxBackoffMs`, and each wait is drawn at random up to it (full jitter).
   * @default 200
   */
  readonly backoffMs?: number;
  /** @default 20000 */
  readonly maxBackoffMs?: number;
  /**
   * Attempts to delete the handled messages of a batch before giving up on them (they are then
   * delivered again, so handlers must be idempotent, as they must be for SQS anyway).
   * @default 3
   */
  readonly deleteAttempts?: number;
  /** A number in [0, 1); for tests. @default Math.random */
  readonly random?: () => number;
}

/** Receives a queue's messages one batch at a time until stopped. */
export class QueueConsumer {
  readonly #props: Required<QueueConsumerProps>;
  readonly #abort = new AbortController();
  #running?: Promise<void>;
  #stopped?: Promise<void>;

  constructor(props: QueueConsumerProps) {
    this.#props = {
      ...props,
      batchSize: props.batchSize ?? 10,
      waitSeconds: props.waitSeconds ?? 20,
      backoffMs: props.backoffMs ?? 200,
      maxBackoffMs: props.maxBackoffMs ?? 20_000,
      deleteAttempts: props.deleteAttempts ?? 3,
      random: props.random ?? Math.random,
    };
    const { batchSize, waitSeconds, deleteAttempts } = this.#props;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) throw new Error(`batchSize is ${batchSize}; expected a whole number from 1 to 10`);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) throw new Error(`waitSeconds is ${waitSeconds}; expected a whole number from 0 to 20`);
    if (!Number.isInteger(deleteAttempts) || deleteAttempts < 1) throw new Error(`deleteAttempts is ${deleteAttempts}; expected a whole number of at least 1`);
  }

  /** Starts receiving; calling it again does nothing. */
  start(): void {
    if (this.#running !== undefined || this.#abort.signal.aborted) return;
    this.#props.log.info('consuming events', { queueUrl: this.#props.queueUrl, batchSize: this.#props.batchSize });
    this.#running = this.#receiveUntilStopped();
  }

  /**
   * Stops receiving, lets the batch in hand be handled and deleted, then resolves. Safe to call more
   * than once; every call gets the same promise.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#abort.abort();
      await this.#running;
      if (this.#running !== undefined) this.#props.log.info('stopped consuming events', { queueUrl: this.#props.queueUrl });
    })();
    return this.#stopped;
  }

  /** Stops on SIGTERM or SIGINT (what ECS and Kubernetes send), without ending the process: its owner does. */
  stopOnSignals(): void {
    const stop = () => void this.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }

  async #receiveUntilStopped(): Promise<void> {
    const { client, queueUrl, batchSize, waitSeconds, log } = this.#props;
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const received = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batchSize, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['All'] }),
          { abortSignal: signal },
        );
        messages = received.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const waitMs = this.#backoff(failures);
        log.error('receiving from the queue failed; retrying', { queueUrl, consecutiveFailures: failures, retryInMs: Math.round(waitMs), error: describe(error) });
        await sleep(waitMs, signal);
        continue;
      }
      // A batch that arrived is handled even when a stop came meanwhile: it is in hand.
      if (messages.length > 0) await this.#handleBatch(messages);
    }
  }

  async #handleBatch(messages: readonly Message[]): Promise<void> {
    const { handle, log } = this.#props;
    let failed: Set<string>;
    try {
      const response = await handle(toSqsEvent(messages), CONTAINER_CONTEXT);
      failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    } catch (error) {
      // The handler reports failures per message; one that throws leaves the whole batch to come back.
      log.error('the batch handler failed; the whole batch will be delivered again', { error: describe(error), messages: messages.length });
      return;
    }
    const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
    log.debug('batch handled', { received: messages.length, failed: failed.size });
    if (done.length > 0) await this.#delete(done);
  }

  /** Deletes the messages (one batch call), retrying what failed for a reason other than the request itself. */
  async #delete(messages: readonly Message[]): Promise<void> {
    const { client, queueUrl, deleteAttempts, log } = this.#props;
    let pending = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '', messageId: message.MessageId }));
    let reason = '';
    for (let attempt = 1; attempt <= deleteAttempts; attempt += 1) {
      if (attempt > 1) await sleep(this.#backoff(attempt - 1));
      try {
        const result = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map(({ Id, ReceiptHandle }) => ({ Id, ReceiptHandle })) }));
        const failures = result.Failed ?? [];
        // A sender fault (an expired receipt handle, say) fails again however often it is tried.
        const refused = failures.filter((failure) => failure.SenderFault);
        if (refused.length > 0) {
          log.warn('the queue refused to delete handled messages; they will be delivered again', {
            queueUrl,
            refused: refused.map((failure) => ({ messageId: pending.find((entry) => entry.Id === failure.Id)?.messageId, code: failure.Code })),
          });
        }
        const retry = new Set(failures.filter((failure) => !failure.SenderFault).map((failure) => failure.Id));
        pending = pending.filter((entry) => retry.has(entry.Id));
        if (pending.length === 0) return;
        reason = failures.filter((failure) => !failure.SenderFault).map((failure) => failure.Code).join(', ');
      } catch (error) {
        reason = describe(error);
      }
      log.error('deleting handled messages failed', { queueUrl, attempt, of: deleteAttempts, messages: pending.length, error: reason });
    }
    log.error('gave up deleting handled messages; they will be delivered again', { queueUrl, messageIds: pending.map((entry) => entry.messageId) });
  }

  #backoff(failures: number): number {
    const { backoffMs, maxBackoffMs, random } = this.#props;
    return random() * Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
  }
}

/** The events a container service consumes: its event catalog and the handlers of the types it consumes. */
export interface ContainerEvents<E extends EventSchemas> {
  /** The event catalog each message is checked against. */
  readonly schemas: E;
  /** The handlers of the event types the service consumes (`events.consumes` in its spec), given the logger they log through. */
  handlers(logger: Logger): EventHandlers<E>;
}

/**
 * The consumer a container service runs for its `events.consumes`: its handlers behind
 * `createEventConsumer`, the queue from `EVENT_QUEUE_URL`, a client made once.
 *
 * @throws Error naming `EVENT_QUEUE_URL` when it is not set, so a service whose deployment gave it no queue does not start
 */
export function eventQueueConsumer<E extends EventSchemas>(events: ContainerEvents<E>, logger: Logger): QueueConsumer {
  const queueUrl = requiredEnv(SERVICE_ENVIRONMENT.eventQueueUrl);
  // A logger of its own: the batch handler resets its keys for every batch, which must not touch the requests' lines.
  const eventLogger = logger.createChild();
  return new QueueConsumer({
    queueUrl,
    handle: createEventConsumer({ events: events.schemas, handlers: events.handlers(eventLogger), logger: eventLogger }),
    client: new SQSClient({}),
    log: logger,
  });
}

/**
 * The `Context` the batch handler gets: there is no Lambda invocation in a container, so its
 * fields are empty (Powertools leaves empty ones out of the log lines). Nothing the handler calls
 * reads the remaining time; the messages' deadline is the queue's visibility timeout.
 */
const CONTAINER_CONTEXT: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: '',
  functionVersion: '',
  invokedFunctionArn: '',
  memoryLimitInMB: '',
  awsRequestId: '',
  logGroupName: '',
  logStreamName: '',
  getRemainingTimeInMillis: () => 0,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** The messages as the event Lambda's event source mapping would deliver (EventBridge sets no message attributes). */
function toSqsEvent(messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map(
      (message): SQSRecord => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '',
          SentTimestamp: message.Attributes?.SentTimestamp ?? '',
          SenderId: message.Attributes?.SenderId ?? '',
          ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        // Not in a received message; the handler does not read them.
        eventSourceARN: '',
        awsRegion: '',
      }),
    ),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
