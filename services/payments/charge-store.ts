/**
 * Charges in the payments service's own table: one item per order (`pk = CHARGE#<order id>`),
 * written once, refunded at most once (both conditional writes).
 *
 * The same table holds the idempotency records (their keys never start with `CHARGE#`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Charge } from './payments';

/** The table's partition key attribute (the spec's `table.partitionKey`). */
export const PARTITION_KEY = 'pk';

/** The partition key of an order's charge. */
export function chargeKey(orderId: string): string {
  return `CHARGE#${orderId}`;
}

/** Properties of a {@link ChargeStore}. */
export interface ChargeStoreProps {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
}

/** Reads and writes charges. */
export class ChargeStore {
  readonly #props: ChargeStoreProps;

  constructor(props: ChargeStoreProps) {
    this.#props = props;
  }

  /** Stores the charge unless the order has one already. @returns the order's charge (the stored one when there was one) */
  async put(charge: Charge): Promise<Charge> {
    try {
      await this.#props.client.send(
        new PutCommand({
          TableName: this.#props.tableName,
          Item: { [PARTITION_KEY]: chargeKey(charge.orderId), ...charge },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        }),
      );
      return charge;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(charge.orderId))!;
    }
  }

  /** The order's charge, or undefined. */
  async get(orderId: string): Promise<Charge | undefined> {
    const { Item: item } = await this.#props.client.send(
      new GetCommand({ TableName: this.#props.tableName, Key: { [PARTITION_KEY]: chargeKey(orderId) }, ConsistentRead: true }),
    );
    if (item === undefined) return undefined;
    const { [PARTITION_KEY]: _key, ...charge } = item;
    return charge as Charge;
  }

  /** Marks a taken charge refunded. @returns whether this call refunded it */
  async refund(orderId: string, at: Date): Promise<boolean> {
    try {
      await this.#props.client.send(
        new UpdateCommand({
          TableName: this.#props.tableName,
          Key: { [PARTITION_KEY]: chargeKey(orderId) },
          UpdateExpression: 'SET #status = :refunded, refundedAt = :at',
          ConditionExpression: '#status = :charged',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':refunded': 'REFUNDED', ':charged': 'CHARGED', ':at': at.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
