import * as path from 'node:path';
import * as z from 'zod';
import type { LambdaServiceSpec } from 'msa-platform-blueprint';
import { INVENTORY_SAGA_ACTIONS, ProductStockRequest } from './inventory';
import { PARTITION_KEY } from './stock-store';

/** Inventory: keeps stock and prices, holds stock for orders in the place-order saga. */
export const inventory: LambdaServiceSpec = {
  name: 'inventory',
  description: 'Keeps stock and prices; holds, releases and commits stock for orders',
  runtime: 'lambda',
  routes: [
    { route: 'PUT /stock/{productId}', requestBodySchema: z.toJSONSchema(ProductStockRequest, { target: 'draft-4' }) as Record<string, unknown> },
    { route: 'GET /stock/{productId}' },
  ],
  events: { consumes: ['OrderConfirmed'] },
  table: { partitionKey: PARTITION_KEY, timeToLiveAttribute: 'expiration' },
  // The saga actions it handles: the action table its code checks each command against (holds and releases stock).
  sagaActions: [...INVENTORY_SAGA_ACTIONS],
  scaling: { min: 0, max: 20 },
  lambda: { entry: path.join(__dirname, 'handler.ts'), memoryMiB: 256, timeoutSeconds: 10 },
};
