/**
 * Orders: what a client may ask for, the rules an order must keep, and the order itself.
 *
 * Plain TypeScript without AWS. Schemas use `zod/mini` to keep the Lambda bundle small; they are
 * ordinary zod 4 schemas, so `z.toJSONSchema` turns `CreateOrderRequest` into the draft-4 model the
 * gateway checks bodies with. Keep them expressible in draft 4: no refinements or transforms in the
 * request schemas, only types, lengths, bounds, patterns and strict objects.
 */
import * as z from 'zod/mini';
import { wholeNumberSetting } from '../shared/setting-schemas';
import type { FieldProblem } from '../shared/validation';

/** Most units of one product per order line. */
export const MAX_QUANTITY = 1000;
/**
 * Most lines any order may have, whatever the config says; `maxItemsPerOrder` can only lower it.
 * It bounds the item size in the table and is checked at the gateway already.
 */
export const MAX_LINES = 100;

/** One line of an order request: a product and how many of it. */
export const OrderLine = z.strictObject({
  productId: z.string().check(z.minLength(1), z.maxLength(64)),
  quantity: z.int().check(z.positive(), z.maximum(MAX_QUANTITY)),
});
export type OrderLine = z.infer<typeof OrderLine>;

/** The body of `POST /orders`. Unknown keys are refused. */
export const CreateOrderRequest = z.strictObject({
  customerId: z.string().check(z.minLength(1), z.maxLength(64)),
  items: z.array(OrderLine).check(z.minLength(1), z.maxLength(MAX_LINES)),
  note: z.optional(z.string().check(z.maxLength(500))),
});
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;

/** An order's id: a UUID. */
export const OrderId = z.uuid();

/** The service's settings, as Parameter Store holds them (strings) and as the rules use them. */
export const OrderSettings = z.object({
  /** Most lines one order may have (at most {@link MAX_LINES}). */
  maxItemsPerOrder: wholeNumberSetting({ min: 1, max: MAX_LINES }),
  /** ISO 4217 code of the currency orders are placed in. */
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
});
export type OrderSettings = z.infer<typeof OrderSettings>;

/** Where an order stands. Only placing exists so far. */
export type OrderStatus = 'PLACED';

/** A placed order. */
export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly items: readonly OrderLine[];
  readonly note?: string;
  readonly status: OrderStatus;
  /** The currency the order is placed in, from the settings at the time. */
  readonly currency: string;
  /** Units over all lines. */
  readonly totalQuantity: number;
  /** When it was placed, ISO 8601 in UTC. */
  readonly createdAt: string;
}

/** The business rules a well-formed request must also keep; empty when it may be placed. */
export function orderRuleProblems(request: CreateOrderRequest, settings: OrderSettings): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (request.items.length > settings.maxItemsPerOrder) {
    problems.push({
      path: 'items',
      message: `must have at most ${settings.maxItemsPerOrder} entries (maxItemsPerOrder); this order has ${request.items.length}`,
    });
  }
  return problems;
}

/** The order a request places, given its new id and the time it is placed. Assumes the request keeps the rules. */
export function buildOrder(request: CreateOrderRequest, settings: OrderSettings, placement: { id: string; at: Date }): Order {
  return {
    id: placement.id,
    customerId: request.customerId,
    items: request.items.map((line) => ({ productId: line.productId, quantity: line.quantity })),
    ...(request.note === undefined ? {} : { note: request.note }),
    status: 'PLACED',
    currency: settings.currency,
    totalQuantity: request.items.reduce((sum, line) => sum + line.quantity, 0),
    createdAt: placement.at.toISOString(),
  };
}
