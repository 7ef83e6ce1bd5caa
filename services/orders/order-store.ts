/**
 * Orders in the service's own DynamoDB table: one item per order, partition key `pk = ORDER#<id>`.
 *
 * The same table holds the idempotency records (their keys never start with `ORDER#`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from './order';

/** The table's partition key attribute (the spec's `table.partitionKey`). */
export const PARTITION_KEY = 'pk';

/** The partition key value of an order. */
export function orderKey(id: string): string {
  return `ORDER#${id}`;
}

/** Raised when an order with the same id is stored already; the stored one is left as it was. */
export class OrderAlreadyExistsError extends Error {
  constructor(public readonly orderId: string) {
    super(`order ${orderId} exists already`);
    this.name = 'OrderAlreadyExistsError';
  }
}

/** Properties of an {@link OrderStore}. */
export interface OrderStoreProps {
  /** Name of the service's table. */
  readonly tableName: string;
  /** Document client to reach it with; create it once per container and share it. */
  readonly client: DynamoDBDocumentClient;
}

/** Reads and writes orders. */
export class OrderStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor(props: OrderStoreProps) {
    this.#tableName = props.tableName;
    this.#client = props.client;
  }

  /**
   * Stores a new order in one conditional write: it is stored whole or not at all, and never replaces one.
   *
   * @throws OrderAlreadyExistsError when an order with this id is stored already
   */
  async put(order: Order): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...order, [PARTITION_KEY]: orderKey(order.id) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new OrderAlreadyExistsError(order.id);
      throw error;
    }
  }

  /** The order with this id, or `undefined` when there is none. Reads are strongly consistent, so a new order is seen at once. */
  async get(id: string): Promise<Order | undefined> {
    const { Item: item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { [PARTITION_KEY]: orderKey(id) }, ConsistentRead: true }),
    );
    return item === undefined ? undefined : orderFromItem(item);
  }
}

/** The order an item holds, without the table's own attributes. */
function orderFromItem(item: Record<string, unknown>): Order {
  const { [PARTITION_KEY]: _key, ...order } = item;
  return order as unknown as Order;
}
