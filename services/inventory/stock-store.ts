/**
 * Products and their holds in the inventory's own table: one item per product (`pk = PRODUCT#<id>`)
 * with `available`, `unitPriceMinor` and a map `holds` of order id to units held. Every change is
 * one conditional update of one item, so stock can never go below zero and a hold is taken,
 * released or committed at most once per order and product.
 *
 * The same table holds the idempotency records (their keys never start with `PRODUCT#`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OutOfStockError, type Product, type ProductStockRequest, UnknownProductError } from './inventory';

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
}

function productFromItem(productId: string, item: ProductItem): Product {
  const held = Object.values(item.holds ?? {}).reduce((sum, units) => sum + units, 0);
  return { productId, available: item.available, held, unitPriceMinor: item.unitPriceMinor };
}

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

  /** Sets a product's available stock and price; its holds stay as they are. */
  async setProduct(productId: string, stock: ProductStockRequest): Promise<Product> {
    const { Attributes: item } = await this.#props.client.send(
      new UpdateCommand({
        TableName: this.#props.tableName,
        Key: { [PARTITION_KEY]: productKey(productId) },
        UpdateExpression: 'SET available = :available, unitPriceMinor = :price, holds = if_not_exists(holds, :none)',
        ExpressionAttributeValues: { ':available': stock.available, ':price': stock.unitPriceMinor, ':none': {} },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return productFromItem(productId, item as ProductItem);
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
          UpdateExpression: 'SET available = available - :quantity, holds.#order = :quantity',
          ConditionExpression: 'attribute_exists(#pk) AND available >= :quantity AND attribute_not_exists(holds.#order)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#order': orderId },
          ExpressionAttributeValues: { ':quantity': quantity },
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
    return this.#endHold(productId, orderId, 'SET available = available + :held REMOVE holds.#order', held);
  }

  /** Lets the order's held units go with the order. @returns whether there was a hold to commit */
  async commit(productId: string, orderId: string): Promise<boolean> {
    const held = (await this.#item(productId))?.holds?.[orderId];
    if (held === undefined) return false;
    return this.#endHold(productId, orderId, 'REMOVE holds.#order', held);
  }

  async #endHold(productId: string, orderId: string, update: string, held: number): Promise<boolean> {
    try {
      await this.#props.client.send(
        new UpdateCommand({
          TableName: this.#props.tableName,
          Key: { [PARTITION_KEY]: productKey(productId) },
          UpdateExpression: update,
          ConditionExpression: 'holds.#order = :held',
          ExpressionAttributeNames: { '#order': orderId },
          ExpressionAttributeValues: { ':held': held },
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
