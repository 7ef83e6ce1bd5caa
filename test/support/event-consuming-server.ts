/**
 * A test-only container process that consumes events: `runContainerProcess` with an `events`
 * handler for `OrderConfirmed`, beside two routes (`GET /handled`, the orders handled so far, and
 * `GET /slow`, answered after a second), so a test can bundle it as a Dockerfile would and run it as
 * a real process against a loopback queue.
 *
 * Its handler logs `order confirmed started` and `order confirmed handled` with the order id; an
 * order id starting with `slow-` takes a second, one starting with `fail-` throws.
 */
import { runContainerProcess } from '../../runtime/container/container-process';
import { jsonResponse } from '../../runtime/http-response';
import { DOMAIN_EVENTS } from '../../services/shared/domain-events';

const handled: string[] = [];

runContainerProcess({
  serviceName: 'event-consuming-test',
  routes: ['GET /handled', 'GET /slow'],
  start: () => async (event) => {
    if (event.resource === '/slow') await new Promise((resolve) => setTimeout(resolve, 1_000));
    return jsonResponse(200, { handled });
  },
  events: {
    schemas: DOMAIN_EVENTS,
    handlers: (logger) => ({
    OrderConfirmed: async ({ orderId }, { id }) => {
      logger.info('order confirmed started', { orderId, eventId: id });
      if (orderId.startsWith('slow-')) await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (orderId.startsWith('fail-')) throw new Error(`cannot handle ${orderId}`);
      handled.push(orderId);
      logger.info('order confirmed handled', { orderId, eventId: id });
    },
    }),
  },
});
