/**
 * Receiving events from a service's queue (EventBridge delivers them to SQS), with a partial
 * batch response: a message that fails is reported alone and comes back later, the others are done.
 *
 * Each message is checked against its event type's schema before its handler sees it. A message
 * that does not fit is logged with the reason and reported as failed, never acknowledged; after the
 * queue's `maxReceiveCount` receives SQS moves it to the dead-letter queue, whose alarm notifies.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { checkEvent, describeProblems, type EventDetail, type EventSchemas, type EventName } from './events';

/** Handles one event of type `T` of the catalog `E`; throw to have the message delivered again. */
export type EventHandler<E extends EventSchemas, T extends EventName<E>> = (detail: EventDetail<E, T>, meta: { readonly id: string; readonly source: string }) => Promise<void>;

/** The handlers of the event types of the catalog `E` a service consumes. */
export type EventHandlers<E extends EventSchemas> = { readonly [T in EventName<E>]?: EventHandler<E, T> };

/** Raised for a message that is not a valid event; it must reach the dead-letter queue, not be retried forever. */
export class UnprocessableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEventError';
  }
}

/** Properties of {@link createEventConsumer}. */
export interface EventConsumerProps<E extends EventSchemas> {
  /** The event catalog: each message is checked against its type's schema before its handler sees it. */
  readonly events: E;
  /** What to do with each event type; a type without a handler is refused like a malformed one. */
  readonly handlers: EventHandlers<E>;
  /** Logs refusals (with the reason and the message id) and failures. */
  readonly logger: Logger;
}

/** Builds the SQS handler. Call once per container. */
export function createEventConsumer<E extends EventSchemas>(props: EventConsumerProps<E>): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { events, handlers, logger } = props;
  const processor = new BatchProcessor(EventType.SQS);

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    let envelope: { id?: unknown; source?: unknown; 'detail-type'?: unknown; detail?: unknown };
    try {
      envelope = JSON.parse(record.body);
    } catch {
      throw refuse(record, undefined, 'the body is not JSON');
    }
    const type = envelope?.['detail-type'];
    const checked = checkEvent(events, type, envelope?.detail);
    if (!checked.ok) throw refuse(record, type, describeProblems(checked.problems));
    const handle = handlers[checked.value.type] as EventHandler<E, EventName<E>> | undefined;
    if (handle === undefined) throw refuse(record, type, 'this service has no handler for the event type');
    await handle(checked.value.detail, { id: String(envelope.id ?? record.messageId), source: String(envelope.source ?? '') });
  };

  const refuse = (record: SQSRecord, type: unknown, reason: string): UnprocessableEventError => {
    logger.error('event refused: it goes to the dead-letter queue once its receives are used up', {
      messageId: record.messageId,
      eventType: typeof type === 'string' ? type : undefined,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
      reason,
    });
    return new UnprocessableEventError(reason);
  };

  return async (event, context) => {
    logger.resetKeys();
    logger.addContext(context);
    const response = await processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
    for (const failure of processor.errors) {
      if (!(failure instanceof UnprocessableEventError)) logger.error('event failed; it will be delivered again', failure);
    }
    return response;
  };
}
