/**
 * Products in the catalog's own DynamoDB table: one item per product, partition key `id`.
 */
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { validate } from '../shared/validation';
import { Product, ProductId, StoredProduct } from './product';

/** The table's partition key attribute (the spec's `table.partitionKey`). */
export const PARTITION_KEY = 'id';

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
    const result = await this.#client.send(
      new ScanCommand({ TableName: this.#tableName, Limit: limit, ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor) }),
    );
    const items = (result.Items ?? []).map(toProduct);
    return result.LastEvaluatedKey === undefined ? { items } : { items, next: encodeCursor(result.LastEvaluatedKey) };
  }
}

function toProduct(item: Record<string, unknown>): Product {
  const checked = validate(StoredProduct, item);
  if (!checked.ok) {
    throw new CorruptProductError(String(item[PARTITION_KEY]), checked.problems.map((p) => `${p.path} ${p.message}`).join('; '));
  }
  return checked.value;
}

// The cursor is the last key, base64url-encoded; it is checked on the way back in, never trusted.
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ [PARTITION_KEY]: key[PARTITION_KEY] }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(key);
    if (keys.length === 1 && keys[0] === PARTITION_KEY && validate(ProductId, key[PARTITION_KEY]).ok) return key;
  } catch {
    // fall through to the error below
  }
  throw new BadCursorError();
}
