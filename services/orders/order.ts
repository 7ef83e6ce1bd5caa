/**
 * Orders: what a client may ask for, the rules an order must keep, and the order itself.
 *
 * Plain TypeScript without AWS. Schemas use `zod/mini` to keep the Lambda bundle small; they are
 * ordinary zod 4 schemas, so `z.toJSONSchema` turns `CreateOrderRequest` into the draft-4 model the
 * gateway checks bodies with. Keep them expressible in draft 4: no refinements or transforms in the
 * request schemas, only types, lengths, bounds, patterns and strict objects.
 */
import * as z from 'zod/mini';
import { wholeNumberSetting, type FieldProblem } from 'msa-platform-blueprint/runtime';

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

/** Where an order stands: placed, then confirmed or rejected by the place-order saga. */
export type OrderStatus = 'PLACED' | 'CONFIRMED' | 'REJECTED';

/** An order, as the events so far make it. */
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
  /** When it last changed. */
  readonly updatedAt: string;
  /** Why it was rejected, when it was. */
  readonly rejectionReason?: string;
  /** How many events made it: the version of its last event. */
  readonly version: number;
}

/**
 * What happened to an order: the facts the event store keeps, from which the order is folded.
 * Order of appearance is the order of versions 1, 2, ...; `OrderPlaced` is always version 1.
 */
export type OrderEvent =
  | { readonly type: 'OrderPlaced'; readonly at: string; readonly customerId: string; readonly items: readonly OrderLine[]; readonly note?: string; readonly currency: string }
  | { readonly type: 'OrderConfirmed'; readonly at: string }
  | { readonly type: 'OrderRejected'; readonly at: string; readonly reason: string };

/** The schema of a stored event, checked when events are read back (by the store and the projection). */
export const StoredOrderEvent = z.union([
  z.object({
    type: z.literal('OrderPlaced'),
    at: z.string(),
    customerId: z.string(),
    items: z.array(z.object({ productId: z.string(), quantity: z.number() })),
    note: z.optional(z.string()),
    currency: z.string(),
  }),
  z.object({ type: z.literal('OrderConfirmed'), at: z.string() }),
  z.object({ type: z.literal('OrderRejected'), at: z.string(), reason: z.string() }),
]);

/** Raised when an event cannot follow the order's current state; a bug or a corrupt stream, never a client error. */
export class OrderHistoryError extends Error {
  constructor(orderId: string, message: string) {
    super(`order ${orderId}: ${message}`);
    this.name = 'OrderHistoryError';
  }
}

/** The order after one more event. `state` is undefined before the first event. */
export function applyOrderEvent(orderId: string, state: Order | undefined, event: OrderEvent, version: number): Order {
  if (state === undefined) {
    if (event.type !== 'OrderPlaced') throw new OrderHistoryError(orderId, `its history starts with ${event.type}, not OrderPlaced`);
  } else if (version !== state.version + 1) {
    throw new OrderHistoryError(orderId, `event version ${version} does not follow version ${state.version}`);
  }
  switch (event.type) {
    case 'OrderPlaced':
      if (state !== undefined) throw new OrderHistoryError(orderId, 'it is placed twice');
      return {
        id: orderId,
        customerId: event.customerId,
        items: event.items,
        ...(event.note === undefined ? {} : { note: event.note }),
        status: 'PLACED',
        currency: event.currency,
        totalQuantity: event.items.reduce((sum, line) => sum + line.quantity, 0),
        createdAt: event.at,
        updatedAt: event.at,
        version,
      };
    case 'OrderConfirmed':
      return { ...state!, status: 'CONFIRMED', updatedAt: event.at, version };
    case 'OrderRejected':
      return { ...state!, status: 'REJECTED', rejectionReason: event.reason, updatedAt: event.at, version };
  }
}

/** Folds events (in version order, after `from` when given, e.g. a snapshot) into the order; undefined when there are none. */
export function foldOrder(orderId: string, events: readonly { readonly version: number; readonly event: OrderEvent }[], from?: Order): Order | undefined {
  return events.reduce<Order | undefined>((state, { version, event }) => applyOrderEvent(orderId, state, event, version), from);
}

/** Raised when a command does not fit the order's state, e.g. confirming a rejected order. */
export class OrderStateError extends Error {
  constructor(public readonly orderId: string, message: string) {
    super(`order ${orderId} ${message}`);
    this.name = 'OrderStateError';
  }
}

/** The event that confirms a placed order; none when it is confirmed already (a retried command). */
export function confirmOrder(order: Order, at: Date): OrderEvent[] {
  if (order.status === 'CONFIRMED') return [];
  if (order.status !== 'PLACED') throw new OrderStateError(order.id, `is ${order.status} and cannot be confirmed`);
  return [{ type: 'OrderConfirmed', at: at.toISOString() }];
}

/** The event that rejects a placed order with its reason; none when it is rejected already. */
export function rejectOrder(order: Order, reason: string, at: Date): OrderEvent[] {
  if (order.status === 'REJECTED') return [];
  if (order.status !== 'PLACED') throw new OrderStateError(order.id, `is ${order.status} and cannot be rejected`);
  return [{ type: 'OrderRejected', at: at.toISOString(), reason: reason.slice(0, 1000) }];
}

/** The actions orders performs in a saga: confirm the order once every step succeeded, or reject it with the reason. */
export const ORDER_SAGA_ACTIONS = ['confirmOrder', 'rejectOrder'] as const;

/** Every how many events a snapshot of the order is kept, so a rebuild folds fewer events than this. */
export const SNAPSHOT_EVERY = 10;

/** Whether the order at this version is to be kept as a snapshot. */
export function isSnapshotVersion(version: number, every: number = SNAPSHOT_EVERY): boolean {
  return version > 0 && version % every === 0;
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

/** The event that places an order, given its new id and the time it is placed. Assumes the request keeps the rules. */
export function placeOrder(request: CreateOrderRequest, settings: OrderSettings, placement: { at: Date }): OrderEvent {
  return {
    type: 'OrderPlaced',
    at: placement.at.toISOString(),
    customerId: request.customerId,
    items: request.items.map((line) => ({ productId: line.productId, quantity: line.quantity })),
    ...(request.note === undefined ? {} : { note: request.note }),
    currency: settings.currency,
  };
}
