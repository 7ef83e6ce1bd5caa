import * as path from 'node:path';
import * as z from 'zod';
import type { LambdaServiceSpec } from 'msa-platform-blueprint';
import { CreateOrderRequest, ORDER_SAGA_ACTIONS } from './order';
import { BY_CUSTOMER_INDEX, READ_MODEL_KEY } from './order-read-model';
import { PARTITION_KEY } from './order-store';

/**
 * Orders: takes orders and answers for them. Runs on Lambda; its state is event-sourced (event
 * store with snapshots in its table), its queries read a read model the projection keeps, and it
 * publishes its events for the place-order saga and other services.
 */
export const orders: LambdaServiceSpec = {
  name: 'orders',
  description: 'Takes orders (idempotently), keeps them as events, and answers for them by id and by customer',
  runtime: 'lambda',
  routes: [
    // The gateway checks the body against the same schema the handler uses, so a bad body never costs an invocation.
    { route: 'POST /orders', requestBodySchema: z.toJSONSchema(CreateOrderRequest, { target: 'draft-4' }) as Record<string, unknown> },
    { route: 'GET /orders/{id}' },
    { route: 'GET /customers/{customerId}/orders' },
  ],
  config: {
    maxItemsPerOrder: '20',
    currency: 'EUR',
  },
  events: { publishes: ['OrderPlaced', 'OrderConfirmed', 'OrderRejected'] },
  // The service table keeps idempotency records and snapshots; events and the read model have their own.
  table: { partitionKey: PARTITION_KEY, timeToLiveAttribute: 'expiration' },
  eventSourcing: {
    readModel: { partitionKey: READ_MODEL_KEY, indexes: [{ name: BY_CUSTOMER_INDEX, partitionKey: 'customerId', sortKey: 'createdAt' }] },
  },
  // The saga actions it handles: the action table its code checks each command against (the place-order saga completes and rejects orders).
  sagaActions: [...ORDER_SAGA_ACTIONS],
  scaling: { min: 0, max: 50 },
  lambda: { entry: path.join(__dirname, 'handler.ts'), memoryMiB: 256, timeoutSeconds: 10 },
};
