/**
 * Products in the catalog's own DynamoDB table: one item per product, partition key `id`.
 */
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { pageCursor, validate } from 'msa-platform-blueprint/runtime';
import { Product, ProductId, StoredProduct } from './product';

/** The table's partition key attribute (the spec's `table.partitionKey`). */
export const PARTITION_KEY = 'id';

/** Where a listing goes on: the id of the last product of a page. */
const ListCursor = pageCursor(z.tuple([ProductId]));

/** A page of products and, when more follow, the cursor of the next page. */
export interface ProductPage {
  readonly items: readonly Product[];
  readonly next?: string;
}

/** Raised when a cursor was not made by this store (edited, or from elsewhere). */
export class BadCursorError extends Error {
  constructor() {
    super('the cursor is not one this service gave out');
    this.name = 'BadCursorError';
  }
}

/** Raised when a stored item does not fit the product shape: a data problem to fix, not to serve. */
export class CorruptProductError extends Error {
  constructor(public readonly productId: string, detail: string) {
    super(`stored product ${productId} is malformed: ${detail}`);
    this.name = 'CorruptProductError';
  }
}

/** Properties of a {@link ProductStore}. */
export interface ProductStoreProps {
  readonly tableName: string;
  /** Document client; create it once per process and share it. */
  readonly client: DynamoDBDocumentClient;
}

/** Reads products. The catalog is read-only through its API; products are loaded by the catalog team's tooling. */
export class ProductStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor(props: ProductStoreProps) {
    this.#tableName = props.tableName;
    this.#client = props.client;
  }

  /** The product, or `undefined` when there is none with this id. */
  async get(id: string): Promise<Product | undefined> {
    const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { [PARTITION_KEY]: id }, ConsistentRead: false }));
    return result.Item === undefined ? undefined : toProduct(result.Item);
  }

  /**
   * One page of at most `limit` products, in table order.
   *
   * @throws BadCursorError when `cursor` is not the `next` of an earlier page
   */
  async list(limit: number, cursor?: string): Promise<ProductPage> {
    const position = cursor === undefined ? undefined : ListCursor.decode(cursor);
    if (cursor !== undefined && position === undefined) throw new BadCursorError();
    const result = await this.#client.send(
      new ScanCommand({ TableName: this.#tableName, Limit: limit, ExclusiveStartKey: position === undefined ? undefined : { [PARTITION_KEY]: position[0] } }),
    );
    const items = (result.Items ?? []).map(toProduct);
    const last = result.LastEvaluatedKey;
    return last === undefined ? { items } : { items, next: ListCursor.encode([String(last[PARTITION_KEY])]) };
  }
}

function toProduct(item: Record<string, unknown>): Product {
  const checked = validate(StoredProduct, item);
  if (!checked.ok) {
    throw new CorruptProductError(String(item[PARTITION_KEY]), checked.problems.map((p) => `${p.path} ${p.message}`).join('; '));
  }
  return checked.value;
}
