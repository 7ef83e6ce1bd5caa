/**
 * The mobile front end's backend: `GET /mobile/orders/{id}`, a compact summary of an order sized
 * for a small screen and a slow network: status, counts and a one-line title from the first
 * product's name (while the `productNames` flag is on). `degraded` names the dependencies that did
 * not answer; a stale order carries `staleSeconds`.
 */
import * as z from 'zod/mini';
import { createBffHandler } from '../shared/bff/bff-handler';
import type { BffRuntime } from '../shared/bff/bff-runtime';
import type { OrderAggregate } from '../shared/bff/order-aggregate';
import { orderRoute } from '../shared/bff/order-route';
import type { RouteHandler } from 'msa-platform-blueprint/runtime';

/** The mobile BFF's feature flags, as its AppConfig profile holds them. */
export const MobileFlags = z.strictObject({
  /** Title the summary with product names from the catalog. */
  productNames: z.boolean(),
});
export type MobileFlags = z.output<typeof MobileFlags>;

export const MOBILE_FLAG_DEFAULTS: MobileFlags = { productNames: true };

export const MOBILE_ROUTES = ['GET /mobile/orders/{id}'] as const;

function mobileView(aggregate: Extract<OrderAggregate, { status: 'found' }>) {
  const { value: order, staleSeconds } = aggregate.order;
  const first = order.items[0] === undefined ? undefined : aggregate.products.get(order.items[0].productId)?.value.name;
  const more = order.items.length - 1;
  return {
    id: order.id,
    status: order.status,
    placedAt: order.createdAt,
    lines: order.items.length,
    totalQuantity: order.totalQuantity,
    title: first === undefined ? null : more > 0 ? `${first} and ${more} more` : first,
    ...(staleSeconds === undefined ? {} : { staleSeconds }),
  };
}

export function createMobileBffApi(runtime: BffRuntime<MobileFlags>): RouteHandler {
  return createBffHandler(
    {
      [MOBILE_ROUTES[0]]: orderRoute({ sources: runtime.sources, flags: runtime.flags, withProducts: (flags) => flags.productNames, view: mobileView }),
    },
    runtime.logger,
    runtime.metrics,
  );
}
