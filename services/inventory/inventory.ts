/**
 * Inventory: products with the stock available and a unit price, and holds of stock for orders.
 *
 * Plain TypeScript without AWS. A hold moves units from `available` to the order's hold on the
 * product; releasing it moves them back (the saga's compensation); committing it, once the order is
 * confirmed, lets the held units go with the order.
 */
import * as z from 'zod/mini';
import { BusinessRuleError } from 'msa-platform-blueprint/runtime';

/** The actions the inventory performs in a saga: hold an order's stock, and give it back. */
export const INVENTORY_SAGA_ACTIONS = ['reserveStock', 'releaseStock'] as const;

/** Most units of one product kept in stock. */
export const MAX_STOCK = 1_000_000;
/** Highest unit price, in minor units (cents). */
export const MAX_UNIT_PRICE_MINOR = 100_000_000;

/** A product's id, as in order lines. */
export const ProductId = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._-]+$/));

/** The body of `PUT /stock/{productId}`: the stock on hand and the price. Unknown keys are refused. */
export const ProductStockRequest = z.strictObject({
  available: z.int().check(z.minimum(0), z.maximum(MAX_STOCK)),
  unitPriceMinor: z.int().check(z.minimum(0), z.maximum(MAX_UNIT_PRICE_MINOR)),
});
export type ProductStockRequest = z.infer<typeof ProductStockRequest>;

/** A product as the service answers for it. */
export interface Product {
  readonly productId: string;
  /** Units that may still be reserved. */
  readonly available: number;
  /** Units held for orders that are not confirmed or rejected yet. */
  readonly held: number;
  readonly unitPriceMinor: number;
  /** Raised by one on every change (a stock write, a hold taken, released or committed); the stock's ETag. */
  readonly version: number;
}

/**
 * A stock write found the product other than its writer expected: changed since the version it
 * read (`expectedVersion`), or there already when it meant to create it (`expectedVersion` undefined),
 * or not there at all (`current` undefined).
 */
export class StaleStockError extends Error {
  constructor(
    public readonly productId: string,
    public readonly expectedVersion: number | undefined,
    public readonly current: Product | undefined,
  ) {
    super(describeStaleStock(productId, expectedVersion, current));
    this.name = 'StaleStockError';
  }
}

function describeStaleStock(productId: string, expectedVersion: number | undefined, current: Product | undefined): string {
  if (current === undefined) return `there is no product ${productId} to update; create it with If-None-Match: *`;
  const now = `available ${current.available}, held ${current.held}, unitPriceMinor ${current.unitPriceMinor}`;
  if (expectedVersion === undefined) return `product ${productId} exists already, at version ${current.version} (${now}); update it with If-Match: "${current.version}"`;
  return `the stock of ${productId} changed since version ${expectedVersion}: it is at version ${current.version} now (${now}); read it again and write with If-Match: "${current.version}"`;
}

/** One line to reserve. */
export interface StockLine {
  readonly productId: string;
  readonly quantity: number;
}

/** The lines with each product once, quantities added up, in first-seen order (a hold is one per product and order). */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}

/** What reserved lines cost, in minor units: quantity times unit price, summed. */
export function reservationAmount(lines: readonly (StockLine & { readonly unitPriceMinor: number })[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
}

/** The stock of a product is too low for a line. */
export class OutOfStockError extends BusinessRuleError {
  constructor(public readonly productId: string, requested: number, available: number) {
    super('OutOfStock', `${requested} of ${productId} asked, ${available} available`);
  }
}

/** A line names a product the inventory does not keep. */
export class UnknownProductError extends BusinessRuleError {
  constructor(public readonly productId: string) {
    super('UnknownProduct', `there is no product ${productId}`);
  }
}
