import * as path from 'node:path';
import type { LambdaServiceSpec } from 'msa-platform-blueprint';
import { PARTITION_KEY } from './charge-store';
import { PAYMENT_SAGA_ACTIONS } from './payments';

/** Payments: charges and refunds orders in the place-order saga. No routes: only the saga calls it. */
export const payments: LambdaServiceSpec = {
  name: 'payments',
  description: 'Charges orders and refunds them when the saga compensates',
  runtime: 'lambda',
  config: { maxChargeMinor: '100000' },
  table: { partitionKey: PARTITION_KEY, timeToLiveAttribute: 'expiration' },
  // The saga actions it handles: the action table its code checks each command against (charges and refunds).
  sagaActions: [...PAYMENT_SAGA_ACTIONS],
  scaling: { min: 0, max: 20 },
  lambda: { entry: path.join(__dirname, 'handler.ts'), memoryMiB: 256, timeoutSeconds: 10 },
};
