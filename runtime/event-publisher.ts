/**
 * Publishing events to the platform's EventBridge bus, each checked against its schema in the
 * service's event catalog first: a payload that does not fit is refused before it leaves the service.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { checkEvent, describeProblems, type EventOf, type EventSchemas } from './events';

/** PutEvents takes at most this many entries per call. */
const MAX_ENTRIES = 10;

/** Raised when an event does not fit its schema; nothing of the batch was sent. */
export class InvalidEventError extends Error {
  constructor(public readonly eventType: string, reason: string) {
    super(`refused to publish ${eventType}: ${reason}`);
    this.name = 'InvalidEventError';
  }
}

/** Properties of an {@link EventPublisher}. */
export interface EventPublisherProps<E extends EventSchemas> {
  /** The event catalog: each event is checked against its type's schema before it is sent. */
  readonly events: E;
  /** The bus, `EVENT_BUS_NAME` in a deployed service. */
  readonly busName: string;
  /** The publishing service, the events' `source`. */
  readonly source: string;
  /** Client to reach EventBridge with; create it once per container. */
  readonly client: EventBridgeClient;
}

/** Publishes the events of a catalog `E`; make one per container. */
export class EventPublisher<E extends EventSchemas> {
  readonly #props: EventPublisherProps<E>;

  constructor(props: EventPublisherProps<E>) {
    this.#props = props;
  }

  /**
   * Checks every event, then publishes them (in calls of up to ten).
   *
   * @throws InvalidEventError when an event does not fit its schema (nothing is sent)
   * @throws Error naming the entries EventBridge refused, so the caller retries them
   */
  async publish(events: readonly EventOf<E>[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((event) => {
      const checked = checkEvent(this.#props.events, event.type, event.detail);
      if (!checked.ok) throw new InvalidEventError(String(event.type), describeProblems(checked.problems));
      return { EventBusName: this.#props.busName, Source: this.#props.source, DetailType: event.type, Detail: JSON.stringify(checked.value.detail) };
    });
    for (let start = 0; start < entries.length; start += MAX_ENTRIES) {
      const batch = entries.slice(start, start + MAX_ENTRIES);
      const result = await this.#props.client.send(new PutEventsCommand({ Entries: batch }));
      if ((result.FailedEntryCount ?? 0) > 0) {
        const failed = (result.Entries ?? [])
          .map((entry, i) => (entry.ErrorCode ? `${batch[i].DetailType}: ${entry.ErrorCode} ${entry.ErrorMessage ?? ''}`.trim() : undefined))
          .filter((text) => text !== undefined);
        throw new Error(`EventBridge refused ${result.FailedEntryCount} of ${batch.length} events: ${failed.join('; ')}`);
      }
    }
  }
}
