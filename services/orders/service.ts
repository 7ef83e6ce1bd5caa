import * as path from 'node:path';
import * as z from 'zod';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { CreateOrderRequest } from './order';

/** Orders: takes orders and answers for them. Runs on Lambda, owns its table. */
export const orders: ServiceSpec = {
  name: 'orders',
  description: 'Takes orders (idempotently) and answers for them by id',
  runtime: 'lambda',
  routes: [
    // The gateway checks the body against the same schema the handler uses, so a bad body never costs an invocation.
    { route: 'POST /orders', requestBodySchema: z.toJSONSchema(CreateOrderRequest, { target: 'draft-4' }) as Record<string, unknown> },
    { route: 'GET /orders/{id}' },
  ],
  config: {
    maxItemsPerOrder: '20',
    currency: 'EUR',
  },
  table: { partitionKey: 'pk', timeToLiveAttribute: 'expiration' },
  scaling: { min: 0, max: 50 },
  lambda: { entry: path.join(__dirname, 'handler.ts'), memoryMiB: 256, timeoutSeconds: 10 },
};
