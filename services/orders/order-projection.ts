/**
 * The projection: the event store's stream feeds it, and for each appended event it brings the
 * order's read-model item up to date and publishes the event to the bus (the stream is the outbox,
 * so an event is published if and only if it was stored).
 *
 * It rebuilds the order from the store (snapshot plus fewer than N events) instead of patching the
 * read model, so a record seen twice, late or out of order still leaves the read model at the
 * order's latest version. Each record is processed on its own; a record that fails (a poison
 * record, or the bus refusing) is reported alone in the partial batch response, and Lambda retries
 * it, bisecting the batch, before recording it in the function's failure queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DOMAIN_EVENTS, DomainEvent } from '../shared/domain-events';
import type { EventPublisher } from 'msa-platform-blueprint/runtime';
import { OrderHistoryError, type Order } from './order';
import type { OrderReadModel } from './order-read-model';
import { type OrderStore, type StoredEvent, storedEventFromItem } from './order-store';

/** What the projection needs. */
export interface OrderProjectionProps {
  readonly store: Pick<OrderStore, 'load'>;
  readonly readModel: Pick<OrderReadModel, 'put'>;
  readonly publisher: Pick<EventPublisher<typeof DOMAIN_EVENTS>, 'publish'>;
  readonly logger: Logger;
}

/** The domain event that tells other services about a stored order event. */
export function domainEventFor(stored: StoredEvent, order: Order): DomainEvent {
  const event = stored.event;
  const items = order.items.map((line) => ({ productId: line.productId, quantity: line.quantity }));
  switch (event.type) {
    case 'OrderPlaced':
      return { type: 'OrderPlaced', detail: { orderId: order.id, customerId: order.customerId, items, currency: order.currency, placedAt: event.at } };
    case 'OrderConfirmed':
      return { type: 'OrderConfirmed', detail: { orderId: order.id, customerId: order.customerId, items, confirmedAt: event.at } };
    case 'OrderRejected':
      return { type: 'OrderRejected', detail: { orderId: order.id, customerId: order.customerId, reason: event.reason, rejectedAt: event.at } };
  }
}

/** Builds the stream handler. Call once per container. */
export function createOrderProjection(props: OrderProjectionProps): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  const { store, readModel, publisher, logger } = props;
  const processor = new BatchProcessor(EventType.DynamoDBStreams);

  const project = async (record: DynamoDBRecord): Promise<void> => {
    // Events are only ever inserted; anything else on the stream is not an event.
    if (record.eventName !== 'INSERT') return;
    const image = record.dynamodb?.NewImage;
    if (image === undefined) throw new OrderHistoryError('?', 'a stream record has no new image; the stream must carry NEW_IMAGE');
    const item = unmarshall(image as Record<string, AttributeValue>);
    const stored = storedEventFromItem(item);
    const orderId = item.streamId as string;
    const { order } = await store.load(orderId);
    if (order === undefined || order.version < stored.version) {
      throw new OrderHistoryError(orderId, `the store does not hold version ${stored.version} that the stream announced`);
    }
    const written = await readModel.put(order);
    await publisher.publish([domainEventFor(stored, order)]);
    logger.info('event projected', { orderId, version: stored.version, type: stored.event.type, readModelVersion: order.version, written });
  };

  return async (event, context) => {
    logger.resetKeys();
    logger.addContext(context);
    const response = await processPartialResponse(event, project, processor, { context, throwOnFullBatchFailure: false });
    for (const error of processor.errors) logger.error('stream record not projected; it will be retried', error);
    return response;
  };
}
