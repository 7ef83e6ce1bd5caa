/**
 * The orders HTTP API: `POST /orders` (idempotent, with an `Idempotency-Key` header), `GET /orders/{id}`
 * and `GET /customers/{customerId}/orders` (newest first, `limit` and `after` query parameters).
 *
 * Commands go to the domain in `order.ts` and the event store in `order-store.ts`; queries read the
 * read model (`order-read-model.ts`), which the projection keeps up to date from the store's stream,
 * so an order shows there shortly (usually well under a second) after it is placed. `handler.ts` builds it once per container with the real clients;
 * tests may build it with others.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { idempotencyKeyOf, responseForIdempotencyError, handleHttp, requestParser, badRequest, created, notFound, ok, RouteHandler, routeRequests } from 'msa-platform-blueprint/runtime';
import { CreateOrderRequest, Order, OrderId, OrderSettings, orderRuleProblems, placeOrder } from './order';
import { InvalidCursorError, type OrderReadModel } from './order-read-model';
import type { OrderStore } from './order-store';

/** What the API needs from the outside world. */
export interface OrdersApiProps {
  /** Where order events are appended. */
  readonly store: Pick<OrderStore, 'append'>;
  /** What queries read. */
  readonly readModel: Pick<OrderReadModel, 'get' | 'listByCustomer'>;
  /** The current settings (cached reads of Parameter Store in production). */
  readonly settings: { read(): Promise<OrderSettings> };
  /** Where idempotency records are kept: the service's table. */
  readonly idempotencyStore: BasePersistenceLayer;
  /** Logs as JSON; each invocation's lines carry its Lambda context and correlation id. */
  readonly logger: Logger;
  /** Emits `OrdersCreated` (EMF), once per order actually placed, not per replay. */
  readonly metrics: Metrics;
}

/** The input of an idempotent placement: the key identifies it, the request must match on a replay. */
interface PlaceOrderCommand {
  readonly idempotencyKey: string;
  readonly request: CreateOrderRequest;
}

/** Most orders per page of a list. */
export const MAX_PAGE_SIZE = 50;

const placeOrderRequest = requestParser({ body: CreateOrderRequest, message: 'the request body is not a valid order' });
const getOrderRequest = requestParser({ path: { id: OrderId }, message: 'the order id is malformed' });
const listOrdersRequest = requestParser({
  path: { customerId: CreateOrderRequest.shape.customerId },
  query: {
    limit: z.optional(z.pipe(z.string().check(z.regex(/^[0-9]{1,3}$/)), z.pipe(z.transform(Number), z.int().check(z.minimum(1), z.maximum(MAX_PAGE_SIZE))))),
    after: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  },
  message: 'the query is malformed',
});

/** How long a key's record, and so its replayable response, is kept: a day, as clients retry within hours. */
const IDEMPOTENCY_EXPIRY_SECONDS = 24 * 60 * 60;

/** Builds the Lambda handler for the orders API. Call once per container. */
export function createOrdersApi(props: OrdersApiProps): RouteHandler {
  const { store, readModel, settings, logger, metrics } = props;

  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: 'idempotencyKey',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS,
  });

  // Runs at most once per idempotency key; a replay returns the order stored with the key's record.
  const placeOnce = makeIdempotent(
    async (command: PlaceOrderCommand, current: OrderSettings): Promise<Order> => {
      // A new id has no events, so the append cannot conflict unless the id was drawn twice.
      const order = await store.append(randomUUID(), undefined, placeOrder(command.request, current, { at: new Date() }));
      metrics.addMetric('OrdersCreated', MetricUnit.Count, 1);
      logger.info('order placed', { orderId: order.id, lines: order.items.length });
      return order;
    },
    { persistenceStore: props.idempotencyStore, config: idempotency, keyPrefix: 'orders.placeOrder' },
  );

  const route = routeRequests({
    'POST /orders': async (event) => {
      // Everything that can refuse the request is checked before the idempotency record is written,
      // so a refused request leaves nothing behind and a corrected retry may reuse its key.
      const key = idempotencyKeyOf(event);
      if (!key.ok) return badRequest('the request is missing a valid idempotency key', key.problems);
      const request = placeOrderRequest(event);
      if (!request.ok) return request.response;
      const current = await settings.read();
      const ruleProblems = orderRuleProblems(request.value.body, current);
      if (ruleProblems.length > 0) return badRequest('the order breaks a rule', ruleProblems);

      const order = await placeOnce({ idempotencyKey: key.value, request: request.value.body }, current);
      return created(order, `/orders/${order.id}`);
    },
    'GET /orders/{id}': async (event) => {
      const request = getOrderRequest(event);
      if (!request.ok) return request.response;
      const { id } = request.value.path;
      const order = await readModel.get(id);
      return order === undefined ? notFound(`there is no order ${id}`) : ok(order);
    },
    'GET /customers/{customerId}/orders': async (event) => {
      const request = listOrdersRequest(event);
      if (!request.ok) return request.response;
      const { path, query } = request.value;
      try {
        const page = await readModel.listByCustomer(path.customerId, { limit: query.limit ?? 20, after: query.after });
        return ok(page);
      } catch (error) {
        if (error instanceof InvalidCursorError) return badRequest('the query is malformed', [{ path: 'after', message: error.message }]);
        throw error;
      }
    },
  });

  // Turns whatever goes wrong into a response: idempotency refusals the client can act on, else a 500 that says nothing of the cause.
  return handleHttp(route, {
    logger,
    metrics,
    before: (context) => idempotency.registerLambdaContext(context),
    // Idempotency refusals are answers the client can act on; anything else is a 500.
    answerError: (error) => {
      const refusal = responseForIdempotencyError(error);
      if (refusal !== undefined) logger.warn('idempotent request refused', { statusCode: refusal.statusCode, reason: (error as Error).message });
      return refusal;
    },
  });
}
