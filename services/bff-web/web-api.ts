/**
 * The web front end's backend: `GET /web/orders/{id}`, the full order detail, each line with the
 * catalog's product data (while the `productDetails` flag is on). Pages render what they get:
 * a stale product carries `staleSeconds`, an unavailable one is `null`, and `degraded` names the
 * dependencies that did not answer.
 */
import * as z from 'zod/mini';
import { createBffHandler } from '../shared/bff/bff-handler';
import type { BffRuntime } from '../shared/bff/bff-runtime';
import type { OrderAggregate } from '../shared/bff/order-aggregate';
import { orderRoute } from '../shared/bff/order-route';
import type { RouteHandler } from 'msa-platform-blueprint/runtime';

/** The web BFF's feature flags, as its AppConfig profile holds them. */
export const WebFlags = z.strictObject({
  /** Enrich order lines with the catalog's product data. */
  productDetails: z.boolean(),
});
export type WebFlags = z.output<typeof WebFlags>;

/** The flags' initial values (also what is served until AppConfig is first read). */
export const WEB_FLAG_DEFAULTS: WebFlags = { productDetails: true };

export const WEB_ROUTES = ['GET /web/orders/{id}'] as const;

function webView(aggregate: Extract<OrderAggregate, { status: 'found' }>) {
  const { value: order, staleSeconds } = aggregate.order;
  return {
    order: {
      id: order.id,
      status: order.status,
      customerId: order.customerId,
      currency: order.currency,
      totalQuantity: order.totalQuantity,
      createdAt: order.createdAt,
      ...(order.note === undefined ? {} : { note: order.note }),
      ...(staleSeconds === undefined ? {} : { staleSeconds }),
      lines: order.items.map((line) => {
        const product = aggregate.products.get(line.productId);
        return {
          productId: line.productId,
          quantity: line.quantity,
          product: product === undefined
            ? null
            : { ...product.value, ...(product.staleSeconds === undefined ? {} : { staleSeconds: product.staleSeconds }) },
        };
      }),
    },
  };
}

export function createWebBffApi(runtime: BffRuntime<WebFlags>): RouteHandler {
  return createBffHandler(
    {
      [WEB_ROUTES[0]]: orderRoute({ sources: runtime.sources, flags: runtime.flags, withProducts: (flags) => flags.productDetails, view: webView }),
    },
    runtime.logger,
    runtime.metrics,
  );
}
