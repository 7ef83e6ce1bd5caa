/**
 * The event source mappings of the assembly, run locally as Lambda runs them: a queue's messages
 * are received in batches and handed to the function as an SQS event; the messages it reports in
 * `batchItemFailures` (or all, when it throws) are left to come back after their visibility
 * timeout, the others are deleted. A stream's records are handed over in order, a failed batch
 * retried from its first failed record.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalEventSourceMapping } from '../assembly/platform-model';
import type { StreamRecord } from '../aws/streaming-dynamodb';
import type { InvocationOutcome } from './local-functions';

type Invoke = (functionName: string, event: unknown, kind: string) => Promise<InvocationOutcome>;

/** Failed items as Lambda's partial batch response names them. */
function failedItems(outcome: InvocationOutcome): string[] | 'all' {
  if ('error' in outcome) return 'all';
  const failures = (outcome.result as { batchItemFailures?: { itemIdentifier?: string }[] } | null)?.batchItemFailures;
  return (failures ?? []).map((failure) => String(failure.itemIdentifier));
}

/** Polls one queue for one function until stopped. */
export class QueuePoller {
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(props: { readonly mapping: LocalEventSourceMapping; readonly queueUrl: string; readonly queueArn: string; readonly region: string; readonly sqs: SQSClient; readonly invoke: Invoke }) {
    this.#done = this.#run(props);
  }

  async #run(props: { readonly mapping: LocalEventSourceMapping; readonly queueUrl: string; readonly queueArn: string; readonly region: string; readonly sqs: SQSClient; readonly invoke: Invoke }): Promise<void> {
    while (!this.#stopped) {
      const received = await props.sqs
        .send(new ReceiveMessageCommand({ QueueUrl: props.queueUrl, MaxNumberOfMessages: Math.min(props.mapping.batchSize, 10), WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }))
        .catch(() => undefined);
      const messages = received?.Messages ?? [];
      if (this.#stopped || messages.length === 0) continue;
      const event = {
        Records: messages.map((message) => ({
          messageId: message.MessageId!,
          receiptHandle: message.ReceiptHandle!,
          body: message.Body ?? '',
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()), ...message.Attributes },
          messageAttributes: {},
          md5OfBody: message.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: props.queueArn,
          awsRegion: props.region,
        })),
      };
      const failed = failedItems(await props.invoke(props.mapping.functionName, event, 'queue'));
      // A thrown error fails the whole batch: every message comes back after its visibility timeout.
      if (failed === 'all') continue;
      const done = messages.filter((message) => !failed.includes(message.MessageId!));
      if (done.length > 0) {
        await props.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: props.queueUrl, Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })) })).catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}

/** Hands a table's stream records to one function, in order, until stopped. */
export class StreamPoller {
  readonly #records: StreamRecord[] = [];
  readonly #props: { readonly mapping: LocalEventSourceMapping; readonly invoke: Invoke; readonly retryDelayMs: number; readonly maxRetries: number; readonly onDiscard: (records: readonly StreamRecord[], reason: string) => void };
  #wake: (() => void) | undefined;
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(props: { readonly mapping: LocalEventSourceMapping; readonly invoke: Invoke; readonly retryDelayMs: number; readonly maxRetries: number; readonly onDiscard: (records: readonly StreamRecord[], reason: string) => void }) {
    this.#props = props;
    this.#done = this.#run();
  }

  /** Records not yet handed over. */
  get pending(): number {
    return this.#records.length;
  }

  push(record: StreamRecord): void {
    this.#records.push(record);
    this.#wake?.();
  }

  async #run(): Promise<void> {
    let attempts = 0;
    while (!this.#stopped) {
      if (this.#records.length === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      const batch = this.#records.slice(0, this.#props.mapping.batchSize);
      const failed = failedItems(await this.#props.invoke(this.#props.mapping.functionName, { Records: batch }, 'stream'));
      const firstFailed = failed === 'all' ? 0 : failed.length === 0 ? -1 : Math.max(0, batch.findIndex((record) => failed.includes(record.dynamodb.SequenceNumber)));
      if (firstFailed < 0) {
        this.#records.splice(0, batch.length);
        attempts = 0;
        continue;
      }
      this.#records.splice(0, firstFailed);
      attempts += 1;
      if (attempts > this.#props.maxRetries) {
        const discarded = this.#records.splice(0, batch.length - firstFailed);
        this.#props.onDiscard(discarded, `the function failed the batch ${attempts} times`);
        attempts = 0;
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, this.#props.retryDelayMs));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#done;
  }
}
