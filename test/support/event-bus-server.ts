/**
 * A stand-in for an EventBridge bus on 127.0.0.1: a small HTTP server that answers the EventBridge
 * JSON protocol (`X-Amz-Target: AWSEvents.PutEvents`) and keeps every entry it was sent, so tests
 * can see what a service published. EventBridge has no local form; the SDK client, our publisher
 * and the handler above the wire are the real code.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localClientConfig } from './aws-test-settings';

/** One event the bus received. */
export interface ReceivedEvent {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  /** Parsed from the JSON the publisher sent. */
  readonly detail: unknown;
}

/** A running stand-in bus. */
export interface EventBusServer {
  readonly endpoint: string;
  /** Everything published so far, in order. */
  readonly received: ReceivedEvent[];
  /** Makes the next `count` entries fail with `InternalFailure`, as EventBridge reports a partial failure. */
  failNext(count: number): void;
  client(): EventBridgeClient;
  stop(): Promise<void>;
}

export async function startEventBusServer(): Promise<EventBusServer> {
  const received: ReceivedEvent[] = [];
  const clients: EventBridgeClient[] = [];
  let failures = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        reply(400, { __type: 'UnknownOperationException', message: `this stand-in answers only AWSEvents.PutEvents, not ${String(request.headers['x-amz-target'])}` });
        return;
      }
      const { Entries: entries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[] };
      let failed = 0;
      const results = entries.map((entry) => {
        if (failures > 0) {
          failures -= 1;
          failed += 1;
          return { ErrorCode: 'InternalFailure', ErrorMessage: 'stand-in failure' };
        }
        received.push({ EventBusName: entry.EventBusName, Source: entry.Source, DetailType: entry.DetailType, detail: JSON.parse(entry.Detail) });
        return { EventId: randomUUID() };
      });
      reply(200, { FailedEntryCount: failed, Entries: results });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    received,
    failNext(count) {
      failures = count;
    },
    client() {
      const client = new EventBridgeClient(localClientConfig(endpoint));
      clients.push(client);
      return client;
    },
    async stop() {
      clients.forEach((client) => client.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
