/**
 * Products and their holds in the inventory's own table: one item per product (`pk = PRODUCT#<id>`)
 * with `available`, `unitPriceMinor`, a map `holds` of order id to units held, and a `version` that
 * every change raises by one. Every change is one conditional update of one item, so stock can never
 * go below zero, a hold is taken, released or committed at most once per order and product, and a
 * write of the stock level applies only to the version its writer read (optimistic concurrency):
 * an operator who read the stock before orders held some of it cannot write the old level back.
 *
 * The same table holds the idempotency records (their keys never start with `PRODUCT#`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OutOfStockError, type Product, type ProductStockRequest, StaleStockError, UnknownProductError } from './inventory';

/** The table's partition key attribute (the spec's `table.partitionKey`). */
export const PARTITION_KEY = 'pk';

/** The partition key value of a product. */
export function productKey(productId: string): string {
  return `PRODUCT#${productId}`;
}

interface ProductItem {
  readonly available: number;
  readonly unitPriceMinor: number;
  readonly holds?: Record<string, number>;
  /** Absent on items written before versions were kept: they count as version 0. */
  readonly version?: number;
}

function productFromItem(productId: string, item: ProductItem): Product {
  const held = Object.values(item.holds ?? {}).reduce((sum, units) => sum + units, 0);
  return { productId, available: item.available, held, unitPriceMinor: item.unitPriceMinor, version: item.version ?? 0 };
}

/** What a stock write expects to find: the version its writer read, or no product at all. */
export type StockPrecondition = { readonly version: number } | { readonly absent: true };

/** Raises the item's version by one, in every update. */
const NEXT_VERSION = '#version = if_not_exists(#version, :zero) + :one';

/** Properties of a {@link StockStore}. */
export interface StockStoreProps {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
}

/** Reads and changes stock. */
export class StockStore {
  readonly #props: StockStoreProps;

  constructor(props: StockStoreProps) {
    this.#props = props;
  }

  /**
   * Sets a product's available stock and price, if it is still at the version the writer read (or,
   * for a new product, if there is none yet); its holds stay as they are.
   *
   * @throws StaleStockError when the product changed since (or exists, or does not), naming what it is now
   */
  async setProduct(productId: string, stock: ProductStockRequest, expected: StockPrecondition): Promise<Product> {
    const condition = 'absent' in expected
      ? { ConditionExpression: 'attribute_not_exists(#pk)', values: {} }
      : expected.version === 0
        ? { ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#version)', values: {} }
        : { ConditionExpression: '#version = :expected', values: { ':expected': expected.version } };
    try {
      const { Attributes: item } = await this.#props.client.send(
        new UpdateCommand({
          TableName: this.#props.tableName,
          Key: { [PARTITION_KEY]: productKey(productId) },
          UpdateExpression: `SET available = :available, unitPriceMinor = :price, holds = if_not_exists(holds, :none), ${NEXT_VERSION}`,
          ConditionExpression: condition.ConditionExpression,
          ExpressionAttributeNames: { '#version': 'version', ...(condition.ConditionExpression.includes('#pk') ? { '#pk': PARTITION_KEY } : {}) },
          ExpressionAttributeValues: { ':available': stock.available, ':price': stock.unitPriceMinor, ':none': {}, ':zero': 0, ':one': 1, ...condition.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return productFromItem(productId, item as ProductItem);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.getProduct(productId);
      throw new StaleStockError(productId, 'absent' in expected ? undefined : expected.version, current);
    }
  }

  /** The product, or undefined. */
  async getProduct(productId: string): Promise<Product | undefined> {
    const item = await this.#item(productId);
    return item === undefined ? undefined : productFromItem(productId, item);
  }

  /**
   * Holds `quantity` units for the order. Holding what the order holds already changes nothing.
   *
   * @returns the unit price
   * @throws UnknownProductError, OutOfStockError
   */
  async hold(productId: string, orderId: string, quantity: number): Promise<{ unitPriceMinor: number }> {
    try {
      const { Attributes: item } = await this.#props.client.send(
        new UpdateCommand({
          TableName: this.#props.tableName,
          Key: { [PARTITION_KEY]: productKey(productId) },
          UpdateExpression: `SET available = available - :quantity, holds.#order = :quantity, ${NEXT_VERSION}`,
          ConditionExpression: 'attribute_exists(#pk) AND available >= :quantity AND attribute_not_exists(holds.#order)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#order': orderId, '#version': 'version' },
          ExpressionAttributeValues: { ':quantity': quantity, ':zero': 0, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { unitPriceMinor: (item as ProductItem).unitPriceMinor };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = await this.#item(productId);
      if (item === undefined) throw new UnknownProductError(productId);
      if (item.holds?.[orderId] !== undefined) return { unitPriceMinor: item.unitPriceMinor };
      throw new OutOfStockError(productId, quantity, item.available);
    }
  }

  /** Gives the order's held units back to `available`. @returns whether there was a hold to release */
  async release(productId: string, orderId: string): Promise<boolean> {
    const held = (await this.#item(productId))?.holds?.[orderId];
    if (held === undefined) return false;
    return this.#endHold(productId, orderId, `SET available = available + :held, ${NEXT_VERSION} REMOVE holds.#order`, held);
  }

  /** Lets the order's held units go with the order. @returns whether there was a hold to commit */
  async commit(productId: string, orderId: string): Promise<boolean> {
    const held = (await this.#item(productId))?.holds?.[orderId];
    if (held === undefined) return false;
    return this.#endHold(productId, orderId, `SET ${NEXT_VERSION} REMOVE holds.#order`, held);
  }

  async #endHold(productId: string, orderId: string, update: string, held: number): Promise<boolean> {
    try {
      await this.#props.client.send(
        new UpdateCommand({
          TableName: this.#props.tableName,
          Key: { [PARTITION_KEY]: productKey(productId) },
          UpdateExpression: update,
          ConditionExpression: 'holds.#order = :held',
          ExpressionAttributeNames: { '#order': orderId, '#version': 'version' },
          ExpressionAttributeValues: { ':held': held, ':zero': 0, ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      // Another invocation ended the hold between the read and the write.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async #item(productId: string): Promise<ProductItem | undefined> {
    const { Item: item } = await this.#props.client.send(
      new GetCommand({ TableName: this.#props.tableName, Key: { [PARTITION_KEY]: productKey(productId) }, ConsistentRead: true }),
    );
    return item as ProductItem | undefined;
  }
}
