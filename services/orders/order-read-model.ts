/**
 * The orders read model (CQRS): one item per order in the read-model table, keyed by `id`, with a
 * `byCustomer` index (`customerId`, `createdAt`) for list queries. Only the projection writes it;
 * queries read nothing else. A write carries the order's version and never replaces a newer one,
 * so a redelivered or late stream record cannot move an order back.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { pageCursor } from 'msa-platform-blueprint/runtime';
import { type Order, OrderId } from './order';

/** The read model's partition key and list index (the spec's `eventSourcing.readModel`). */
export const READ_MODEL_KEY = 'id';
export const BY_CUSTOMER_INDEX = 'byCustomer';

/**
 * Where a customer's list goes on: the customer, and the `createdAt` and `id` of the last order of
 * a page. A cursor is taken back only on the list of the customer it was made for, and the key the
 * query starts after is rebuilt from its checked values, never taken from it.
 */
const ListCursor = pageCursor(z.tuple([z.string().check(z.minLength(1), z.maxLength(64)), z.iso.datetime(), OrderId]));

/** One page of a list query. */
export interface OrderPage {
  readonly orders: Order[];
  /** Pass it back as `after` for the next page; absent on the last page. */
  readonly next?: string;
}

/** Properties of an {@link OrderReadModel}. */
export interface OrderReadModelProps {
  /** The read-model table. */
  readonly tableName: string;
  /** Document client; create it once per container and share it. */
  readonly client: DynamoDBDocumentClient;
}

/** Reads and writes the orders read model. */
export class OrderReadModel {
  readonly #props: OrderReadModelProps;

  constructor(props: OrderReadModelProps) {
    this.#props = props;
  }

  /**
   * Stores the order unless the same or a newer version is stored already.
   * @returns whether it was written (false for a duplicate or stale version)
   */
  async put(order: Order): Promise<boolean> {
    try {
      await this.#props.client.send(
        new PutCommand({
          TableName: this.#props.tableName,
          Item: order,
          ConditionExpression: 'attribute_not_exists(#id) OR #version < :version',
          ExpressionAttributeNames: { '#id': READ_MODEL_KEY, '#version': 'version' },
          ExpressionAttributeValues: { ':version': order.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The order as last projected, or undefined. Eventually consistent with the event store. */
  async get(id: string): Promise<Order | undefined> {
    const { Item: item } = await this.#props.client.send(new GetCommand({ TableName: this.#props.tableName, Key: { [READ_MODEL_KEY]: id } }));
    return item as Order | undefined;
  }

  /**
   * A customer's orders, newest first, `limit` per page.
   *
   * @throws InvalidCursorError when `after` is not the `next` of one of this customer's pages
   */
  async listByCustomer(customerId: string, options: { readonly limit: number; readonly after?: string }): Promise<OrderPage> {
    const position = options.after === undefined ? undefined : ListCursor.decode(options.after);
    if (options.after !== undefined && position?.[0] !== customerId) throw new InvalidCursorError();
    const page = await this.#props.client.send(
      new QueryCommand({
        TableName: this.#props.tableName,
        IndexName: BY_CUSTOMER_INDEX,
        KeyConditionExpression: '#customer = :customer',
        ExpressionAttributeNames: { '#customer': 'customerId' },
        ExpressionAttributeValues: { ':customer': customerId },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: position === undefined ? undefined : { [READ_MODEL_KEY]: position[2], customerId, createdAt: position[1] },
      }),
    );
    const last = page.LastEvaluatedKey;
    return {
      orders: (page.Items ?? []) as Order[],
      ...(last === undefined ? {} : { next: ListCursor.encode([customerId, String(last.createdAt), String(last[READ_MODEL_KEY])]) }),
    };
  }
}

/** Raised for a page cursor the client made up or mangled. */
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this API gave out');
    this.name = 'InvalidCursorError';
  }
}
