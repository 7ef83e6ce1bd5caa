/**
 * A stand-in for an EventBridge bus on 127.0.0.1: a small HTTP server that answers the EventBridge
 * JSON protocol (`X-Amz-Target: AWSEvents.PutEvents`) and keeps every entry it was sent, so tests
 * can see what a service published. EventBridge has no local form; the SDK client, our publisher
 * and the handler above the wire are the real code.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { localClientConfig } from './aws-test-settings';
import { startJsonProtocolServer } from './local-http-server';

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
  const server = await startJsonProtocolServer((target, body) => {
    if (target !== 'AWSEvents.PutEvents') {
      return { status: 400, body: { __type: 'UnknownOperationException', message: `this stand-in answers only AWSEvents.PutEvents, not ${target}` } };
    }
    const entries = (body as { Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[] }).Entries;
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
    return { status: 200, body: { FailedEntryCount: failed, Entries: results } };
  });
  return {
    endpoint: server.endpoint,
    received,
    failNext(count) {
      failures = count;
    },
    client() {
      const client = new EventBridgeClient(localClientConfig(server.endpoint));
      clients.push(client);
      return client;
    },
    async stop() {
      clients.forEach((client) => client.destroy());
      await server.stop();
    },
  };
}
