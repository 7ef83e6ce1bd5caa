/**
 * The one route both BFFs have, `GET /<base>/orders/{id}`: checks the id, aggregates the order
 * (with products when the front end's flag says so) and hands a found aggregate to the BFF's own
 * view. A degraded answer names the dependencies in the `x-degraded` header and the body; an order
 * that neither `orders` nor a stale copy can give is a 503.
 */
import * as z from 'zod/mini';
import { correlationIdOf, requestParser, jsonResponse, notFound, serviceUnavailable, withHeaders, type RouteHandler } from 'msa-platform-blueprint/runtime';
import { DEGRADED_HEADER } from './bff-handler';
import { OrderAggregate, OrderAggregateSources, aggregateOrder } from './order-aggregate';

const orderRequest = requestParser({ path: { id: z.uuid() }, message: 'the order id is malformed' });

/** Seconds a client is told to wait when the order cannot be had. */
const RETRY_AFTER_SECONDS = 5;

export interface OrderRouteProps<Flags> {
  readonly sources: OrderAggregateSources;
  readonly flags: { read(): Promise<Flags> };
  /** Whether the current flags ask for the products. */
  readonly withProducts: (flags: Flags) => boolean;
  /** The front end's view of a found aggregate. */
  readonly view: (aggregate: Extract<OrderAggregate, { status: 'found' }>) => unknown;
}

export function orderRoute<Flags>(props: OrderRouteProps<Flags>): RouteHandler {
  return async (event) => {
    const request = orderRequest(event);
    if (!request.ok) return request.response;
    const { id } = request.value.path;
    const flags = await props.flags.read();
    const correlationId = correlationIdOf(event);
    const aggregate = await aggregateOrder(props.sources, id, correlationId, props.withProducts(flags));
    if (aggregate.status === 'not-found') return notFound(`there is no order ${id}`);
    if (aggregate.status === 'unavailable') {
      return withHeaders(serviceUnavailable('the order cannot be fetched right now; try again shortly', RETRY_AFTER_SECONDS), { [DEGRADED_HEADER]: aggregate.degraded.join(',') });
    }
    const response = jsonResponse(200, { ...(props.view(aggregate) as object), degraded: aggregate.degraded });
    return aggregate.degraded.length > 0 ? withHeaders(response, { [DEGRADED_HEADER]: aggregate.degraded.join(',') }) : response;
  };
}
