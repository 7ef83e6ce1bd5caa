/**
 * Publishing domain events to the platform's EventBridge bus, each checked against its schema
 * first: a payload that does not fit is refused before it leaves the service.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { checkDomainEvent, describeProblems, type DomainEvent } from './domain-events';

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
export interface EventPublisherProps {
  /** The bus, `EVENT_BUS_NAME` in a deployed service. */
  readonly busName: string;
  /** The publishing service, the events' `source`. */
  readonly source: string;
  /** Client to reach EventBridge with; create it once per container. */
  readonly client: EventBridgeClient;
}

/** Publishes domain events; make one per container. */
export class EventPublisher {
  readonly #props: EventPublisherProps;

  constructor(props: EventPublisherProps) {
    this.#props = props;
  }

  /**
   * Checks every event, then publishes them (in calls of up to ten).
   *
   * @throws InvalidEventError when an event does not fit its schema (nothing is sent)
   * @throws Error naming the entries EventBridge refused, so the caller retries them
   */
  async publish(events: readonly DomainEvent[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((event) => {
      const checked = checkDomainEvent(event.type, event.detail);
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
