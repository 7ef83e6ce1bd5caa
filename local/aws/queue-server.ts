/**
 * A stand-in for Amazon SQS on 127.0.0.1: a small HTTP server that answers the SQS JSON protocol
 * (`X-Amz-Target: AmazonSQS.ReceiveMessage` and so on, what @aws-sdk/client-sqs v3 speaks) for
 * queues held in memory, with the behaviour a consumer relies on: long polling; a visibility timeout
 * that hides a received message and brings it back if it is not deleted; a receive count; a new
 * receipt handle per receive (only the latest one deletes); and a redrive policy that moves a
 * message to its dead-letter queue when it would be received more than `maxReceiveCount` times.
 * It can fail the next calls of an operation with a 500, and counts the calls it answered.
 *
 * Why not a local SQS from npm: fauxqs (maintained, SNS/SQS/S3 in Node) was tried. Its current
 * releases need Node 22.5; the last one for Node 20 is ESM-only (these tests run as CommonJS) and
 * names its queues `http://sqs.<region>.localhost:<port>/...`, which does not resolve here, while the
 * SDK sends each call to its queue URL's host. The SDK client and the code above the wire are real.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHash, randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { localClientConfig } from './aws-test-settings';
import { startLoopbackServer } from './loopback-server';

const ACCOUNT = '000000000000';

/** The operations the stand-in answers. */
export type QueueOperation = 'SendMessage' | 'ReceiveMessage' | 'DeleteMessage' | 'DeleteMessageBatch';

/** How a queue behaves. */
export interface QueueOptions {
  /** Seconds a received message stays hidden. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Where a message goes once it has been received `maxReceiveCount` times without being deleted. */
  readonly deadLetter?: { readonly queueUrl: string; readonly maxReceiveCount: number };
}

/** A message as a test sees it. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  /** How often it has been received. */
  readonly receiveCount: number;
  /** Hidden by a receive whose visibility timeout has not run out. */
  readonly inFlight: boolean;
}

/** A running stand-in. */
export interface QueueServer {
  readonly endpoint: string;
  /** Creates a queue; returns its URL (`<endpoint>/000000000000/<name>`), to which the SDK sends its calls. */
  createQueue(name: string, options?: QueueOptions): string;
  /** Puts a message on a queue, as EventBridge delivers one; returns its id. */
  send(queueUrl: string, body: string): string;
  /** The messages a queue holds (visible and in flight), oldest first. */
  messages(queueUrl: string): readonly StoredMessage[];
  /** How many calls of `operation` it has answered (failed ones included). */
  calls(operation: QueueOperation): number;
  /** Makes the next `count` calls of `operation` answer 500 InternalFailure. */
  failNext(operation: QueueOperation, count: number): void;
  /** A client pointed at it (`maxAttempts` 1 unless given, so a test sees each failure); destroyed by `stop`. */
  client(options?: { readonly maxAttempts?: number }): SQSClient;
  stop(): Promise<void>;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5: string;
  readonly sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  receiptHandle?: string;
}

interface Queue {
  readonly url: string;
  readonly options: QueueOptions;
  messages: Message[];
}

class SqsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startQueueServer(): Promise<QueueServer> {
  const queues = new Map<string, Queue>();
  const calls = new Map<string, number>();
  const failures = new Map<string, number>();
  const clients: SQSClient[] = [];

  const queueOf = (url: unknown): Queue => {
    const queue = queues.get(String(url));
    if (queue === undefined) throw new SqsError(400, 'com.amazonaws.sqs#QueueDoesNotExist', `The specified queue does not exist: ${String(url)}`);
    return queue;
  };

  const enqueue = (queue: Queue, body: string): Message => {
    const message: Message = { messageId: randomUUID(), body, md5: createHash('md5').update(body, 'utf8').digest('hex'), sentTimestamp: Date.now(), receiveCount: 0, visibleAt: 0 };
    queue.messages.push(message);
    return message;
  };

  /** Takes up to `max` visible messages, moving those whose receives are used up to the dead-letter queue first. */
  const take = (queue: Queue, max: number, visibilitySeconds: number): Message[] => {
    const now = Date.now();
    const taken: Message[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.options.deadLetter;
      if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        queueOf(redrive.queueUrl).messages.push({ ...message, visibleAt: 0, receiptHandle: undefined });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = `${message.messageId}:${randomUUID()}`;
      taken.push(message);
    }
    return taken;
  };

  const remove = (queue: Queue, receiptHandle: unknown): boolean => {
    const index = queue.messages.findIndex((message) => message.receiptHandle !== undefined && message.receiptHandle === receiptHandle);
    if (index < 0) return false;
    queue.messages.splice(index, 1);
    return true;
  };

  const operations: Record<QueueOperation, (body: Record<string, unknown>, gone: () => boolean) => Promise<unknown> | unknown> = {
    SendMessage: (body) => {
      const message = enqueue(queueOf(body.QueueUrl), String(body.MessageBody));
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
    },
    ReceiveMessage: async (body, gone) => {
      const queue = queueOf(body.QueueUrl);
      const max = Number(body.MaxNumberOfMessages ?? 1);
      const waitSeconds = Number(body.WaitTimeSeconds ?? 0);
      if (!Number.isInteger(max) || max < 1 || max > 10) throw new SqsError(400, 'com.amazonaws.sqs#InvalidParameterValue', `MaxNumberOfMessages ${max} must be from 1 to 10`);
      if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) throw new SqsError(400, 'com.amazonaws.sqs#InvalidParameterValue', `WaitTimeSeconds ${waitSeconds} must be from 0 to 20`);
      const visibility = Number(body.VisibilityTimeout ?? queue.options.visibilityTimeoutSeconds ?? 30);
      const deadline = Date.now() + waitSeconds * 1000;
      let taken: Message[] = [];
      // Long polling: wait for a message, but take none for a caller that has gone (an abandoned poll).
      while (!gone()) {
        taken = take(queue, max, visibility);
        if (taken.length > 0 || Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const withAttributes = Array.isArray(body.MessageSystemAttributeNames) || Array.isArray(body.AttributeNames);
      return {
        Messages: taken.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: message.md5,
          Body: message.body,
          ...(withAttributes
            ? {
                Attributes: {
                  ApproximateReceiveCount: String(message.receiveCount),
                  SentTimestamp: String(message.sentTimestamp),
                  ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
                  SenderId: 'AIDAEVENTBRIDGE',
                },
              }
            : {}),
        })),
      };
    },
    DeleteMessage: (body) => {
      if (!remove(queueOf(body.QueueUrl), body.ReceiptHandle)) throw new SqsError(400, 'com.amazonaws.sqs#ReceiptHandleIsInvalid', 'The receipt handle is not the latest of a message in the queue');
      return {};
    },
    DeleteMessageBatch: (body) => {
      const queue = queueOf(body.QueueUrl);
      const entries = body.Entries as { Id: string; ReceiptHandle: string }[];
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) throw new SqsError(400, 'com.amazonaws.sqs#TooManyEntriesInBatchRequest', 'a batch takes 1 to 10 entries');
      const successful: { Id: string }[] = [];
      const failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
      for (const entry of entries) {
        if (remove(queue, entry.ReceiptHandle)) successful.push({ Id: entry.Id });
        else failed.push({ Id: entry.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The receipt handle is not the latest of a message in the queue' });
      }
      return { Successful: successful, Failed: failed };
    },
  };

  const answer = async (request: http.IncomingMessage, received: Buffer, response: http.ServerResponse) => {
    let gone = false;
    response.on('close', () => (gone = true));
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (gone) return;
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
      response.end(JSON.stringify(body));
    };
    const target = String(request.headers['x-amz-target']);
    const operation = target.replace(/^AmazonSQS\./, '') as QueueOperation;
    if (!target.startsWith('AmazonSQS.') || !Object.prototype.hasOwnProperty.call(operations, operation)) {
      return reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `this stand-in does not answer ${target}` });
    }
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    const failing = failures.get(operation) ?? 0;
    if (failing > 0) {
      failures.set(operation, failing - 1);
      return reply(500, { __type: 'InternalFailure', message: 'injected failure' });
    }
    try {
      reply(200, await operations[operation](JSON.parse(received.toString('utf8') || '{}') as Record<string, unknown>, () => gone));
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      reply(error.status, { __type: error.type, message: error.message }, { 'x-amzn-query-error': `${error.type.split('#')[1]};Sender` });
    }
  };

  const server = await startLoopbackServer((request, body, response) => void answer(request, body, response));
  const endpoint = server.endpoint;
  return {
    endpoint,
    createQueue(name, options = {}) {
      const url = `${endpoint}/${ACCOUNT}/${name}`;
      queues.set(url, { url, options, messages: [] });
      return url;
    },
    send: (queueUrl, body) => enqueue(queueOf(queueUrl), body).messageId,
    messages: (queueUrl) =>
      queueOf(queueUrl).messages.map((message) => ({ messageId: message.messageId, body: message.body, receiveCount: message.receiveCount, inFlight: message.visibleAt > Date.now() })),
    calls: (operation) => calls.get(operation) ?? 0,
    failNext(operation, count) {
      failures.set(operation, count);
    },
    client(options = {}) {
      const client = new SQSClient({ ...localClientConfig(endpoint), maxAttempts: options.maxAttempts ?? 1 });
      clients.push(client);
      return client;
    },
    async stop() {
      clients.forEach((client) => client.destroy());
      await server.stop();
    },
  };
}
