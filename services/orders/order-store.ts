/**
 * The orders event store: every change of an order is an event appended to the event-store table
 * (`streamId` = order id, `version` = 1, 2, ...), with a conditional write so that two writers who
 * read the same version cannot both append the next one (optimistic concurrency). An order is
 * rebuilt by folding its events onto its latest snapshot; a snapshot is kept in the service's own
 * table every `snapshotEvery` events, so a rebuild folds fewer than `snapshotEvery` events.
 *
 * The service's own table also holds the idempotency records (their keys never start with `SNAPSHOT#`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { validate } from 'msa-platform-blueprint/runtime';
import { type Order, type OrderEvent, OrderHistoryError, SNAPSHOT_EVERY, StoredOrderEvent, foldOrder, isSnapshotVersion } from './order';

/** The service table's partition key attribute (the spec's `table.partitionKey`). */
export const PARTITION_KEY = 'pk';
/** The event store's key attributes (fixed by the `LambdaMicroservice` construct). */
export const STREAM_ID = 'streamId';
export const VERSION = 'version';

/** The partition key of an order's snapshot in the service table. */
export function snapshotKey(orderId: string): string {
  return `SNAPSHOT#${orderId}`;
}

/** Raised when another writer appended to the order first; reload the order and decide again. */
export class ConcurrencyConflictError extends Error {
  constructor(public readonly orderId: string, public readonly version: number) {
    super(`order ${orderId} was changed by another writer: version ${version} exists already; reload the order and try again`);
    this.name = 'ConcurrencyConflictError';
  }
}

/** An event as the store keeps it. */
export interface StoredEvent {
  readonly version: number;
  readonly event: OrderEvent;
}

/** An order as loaded, with what it took. */
export interface LoadedOrder {
  /** The order; undefined when it has no events. */
  readonly order?: Order;
  /** Its version (0 when it has no events). */
  readonly version: number;
  /** The version of the snapshot it started from (0 for none). */
  readonly snapshotVersion: number;
  /** How many events were folded onto the snapshot. */
  readonly eventsFolded: number;
}

/** Properties of an {@link OrderStore}. */
export interface OrderStoreProps {
  /** The event-store table. */
  readonly eventStoreTableName: string;
  /** The service's own table, which keeps the snapshots. */
  readonly snapshotTableName: string;
  /** Document client to reach them with; create it once per container and share it. */
  readonly client: DynamoDBDocumentClient;
  /** Every how many events a snapshot is kept. @default SNAPSHOT_EVERY */
  readonly snapshotEvery?: number;
}

/** Appends order events and loads orders. */
export class OrderStore {
  readonly #props: OrderStoreProps;
  readonly #snapshotEvery: number;

  constructor(props: OrderStoreProps) {
    this.#props = props;
    this.#snapshotEvery = props.snapshotEvery ?? SNAPSHOT_EVERY;
  }

  /** The order with this id as its events make it (strongly consistent reads, so a write is seen at once). */
  async load(orderId: string): Promise<LoadedOrder> {
    const { Item: snapshot } = await this.#props.client.send(
      new GetCommand({ TableName: this.#props.snapshotTableName, Key: { [PARTITION_KEY]: snapshotKey(orderId) }, ConsistentRead: true }),
    );
    const from = snapshot === undefined ? undefined : (snapshot.state as Order);
    const snapshotVersion = from?.version ?? 0;
    const events = await this.events(orderId, snapshotVersion);
    const order = foldOrder(orderId, events, from);
    return { order, version: order?.version ?? 0, snapshotVersion, eventsFolded: events.length };
  }

  /** The order's events after `afterVersion`, in version order. */
  async events(orderId: string, afterVersion = 0): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#props.client.send(
        new QueryCommand({
          TableName: this.#props.eventStoreTableName,
          KeyConditionExpression: '#id = :id AND #version > :after',
          ExpressionAttributeNames: { '#id': STREAM_ID, '#version': VERSION },
          ExpressionAttributeValues: { ':id': orderId, ':after': afterVersion },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) events.push(storedEventFromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return events;
  }

  /**
   * Appends an event as version `expectedVersion + 1` and gives the order it makes. The write is
   * conditional on that version not existing, so of two writers who loaded the same version one
   * wins and the other gets a ConcurrencyConflictError; nothing the winner wrote is lost.
   *
   * @throws ConcurrencyConflictError when the version exists already
   */
  async append(orderId: string, current: Order | undefined, event: OrderEvent): Promise<Order> {
    const version = (current?.version ?? 0) + 1;
    const order = foldOrder(orderId, [{ version, event }], current)!;
    try {
      await this.#props.client.send(
        new PutCommand({
          TableName: this.#props.eventStoreTableName,
          Item: { [STREAM_ID]: orderId, [VERSION]: version, ...event },
          ConditionExpression: 'attribute_not_exists(#version)',
          ExpressionAttributeNames: { '#version': VERSION },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConcurrencyConflictError(orderId, version);
      throw error;
    }
    if (isSnapshotVersion(version, this.#snapshotEvery)) await this.#saveSnapshot(order);
    return order;
  }

  /** Keeps the order as a snapshot unless a newer one is kept already. A lost snapshot costs only a longer fold. */
  async #saveSnapshot(order: Order): Promise<void> {
    try {
      await this.#props.client.send(
        new PutCommand({
          TableName: this.#props.snapshotTableName,
          Item: { [PARTITION_KEY]: snapshotKey(order.id), version: order.version, state: order },
          ConditionExpression: 'attribute_not_exists(#pk) OR #version < :version',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#version': 'version' },
          ExpressionAttributeValues: { ':version': order.version },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** The event an event-store item holds, checked against the stored-event schema. */
export function storedEventFromItem(item: Record<string, unknown>): StoredEvent {
  const { [STREAM_ID]: streamId, [VERSION]: version, ...rest } = item;
  const checked = validate(StoredOrderEvent, rest);
  if (typeof streamId !== 'string' || typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new OrderHistoryError(String(streamId), `an event-store item has no usable ${STREAM_ID} and ${VERSION}`);
  }
  if (!checked.ok) {
    throw new OrderHistoryError(streamId, `event version ${version} is not a valid order event: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  }
  return { version, event: checked.value as OrderEvent };
}
