/**
 * What both BFFs build their views from: an order (from `orders`) and, when asked, the catalog
 * entries of its products (from `catalog`), each call resilient. When a call fails or its breaker is
 * open, the last good copy is served and marked stale, or the part is left out; either way the
 * dependency is named in `degraded`, so the front end can say the view is incomplete.
 */
import type { Product } from '../../catalog/product';
import type { Order } from '../../orders/order';
import type { ServiceResponse } from 'msa-platform-blueprint/runtime';
import type { LastGoodCache } from './last-good-cache';
import type { ResilientServices } from './resilient-services';

/** The dependencies of a BFF. */
export type BffDependency = 'orders' | 'catalog';

/** An order as the orders service answers for it (its published type: a compile-time contract, nothing bundled). */
export type OrderRecord = Order;

/** A product as the catalog answers for it. */
export type ProductRecord = Product;

/** A value and whether it came from the last good copy. */
export interface Sourced<T> {
  readonly value: T;
  /** Seconds since the copy was fetched, when it is a stale copy served by a fallback. */
  readonly staleSeconds?: number;
}

export type OrderAggregate =
  | { readonly status: 'found'; readonly order: Sourced<OrderRecord>; readonly products: ReadonlyMap<string, Sourced<ProductRecord> | undefined>; readonly degraded: readonly BffDependency[] }
  | { readonly status: 'not-found' }
  | { readonly status: 'unavailable'; readonly reason: string; readonly degraded: readonly BffDependency[] };

/** Where the aggregate reads from, and the copies its fallbacks serve. */
export interface OrderAggregateSources {
  readonly services: ResilientServices<BffDependency>;
  readonly orders: LastGoodCache<OrderRecord>;
  readonly products: LastGoodCache<ProductRecord>;
}

/** A call's outcome: an answer, a copy served by the fallback, or nothing usable. */
type Outcome<T> = { kind: 'answer'; value: T | undefined } | { kind: 'fallback'; copy?: Sourced<T>; reason: string };

function answered<T>(response: ServiceResponse): Outcome<T> {
  if (response.statusCode === 404) return { kind: 'answer', value: undefined };
  if (response.statusCode !== 200) throw new Error(`unexpected status ${response.statusCode}`);
  return { kind: 'answer', value: response.body as T };
}

function fallbackTo<T>(cache: LastGoodCache<T>, key: string) {
  return (reason: Error): Outcome<T> => {
    const copy = cache.recall(key);
    return { kind: 'fallback', reason: reason.message, copy: copy === undefined ? undefined : { value: copy.value, staleSeconds: copy.ageSeconds } };
  };
}

/** The order `orderId` and, with `withProducts`, its products. */
export async function aggregateOrder(sources: OrderAggregateSources, orderId: string, correlationId: string, withProducts: boolean): Promise<OrderAggregate> {
  const degraded: BffDependency[] = [];
  const orderOutcome = await sources.services.call(
    'orders',
    { method: 'GET', resource: '/orders/{id}', pathParameters: { id: orderId }, correlationId },
    (response) => answered<OrderRecord>(response),
    fallbackTo(sources.orders, orderId),
  );
  let order: Sourced<OrderRecord>;
  if (orderOutcome.kind === 'answer') {
    if (orderOutcome.value === undefined) return { status: 'not-found' };
    order = { value: orderOutcome.value };
    sources.orders.remember(orderId, orderOutcome.value);
  } else {
    degraded.push('orders');
    if (orderOutcome.copy === undefined) return { status: 'unavailable', reason: orderOutcome.reason, degraded };
    order = orderOutcome.copy;
  }

  const products = new Map<string, Sourced<ProductRecord> | undefined>();
  if (withProducts) {
    const ids = [...new Set(order.value.items.map((line) => line.productId))];
    const outcomes = await Promise.all(ids.map((id) => sources.services.call(
      'catalog',
      { method: 'GET', resource: '/products/{id}', pathParameters: { id }, correlationId },
      (response) => answered<ProductRecord>(response),
      fallbackTo(sources.products, id),
    )));
    ids.forEach((id, index) => {
      const outcome = outcomes[index];
      if (outcome.kind === 'answer') {
        products.set(id, outcome.value === undefined ? undefined : { value: outcome.value });
        if (outcome.value !== undefined) sources.products.remember(id, outcome.value);
      } else {
        if (!degraded.includes('catalog')) degraded.push('catalog');
        products.set(id, outcome.copy);
      }
    });
  }
  return { status: 'found', order, products, degraded };
}
