import type { SagaSpec } from 'msa-platform-blueprint';

/**
 * Placing an order across services: hold the stock, take the payment, confirm the order. When a
 * step fails, the compensations run in reverse (refund, then release) and the order is rejected
 * with the reason.
 */
export const placeOrderSaga: SagaSpec = {
  name: 'place-order',
  startOn: 'OrderPlaced',
  steps: [
    { name: 'ReserveInventory', invoke: { service: 'inventory', action: 'reserveStock' }, compensate: { service: 'inventory', action: 'releaseStock' } },
    { name: 'ChargePayment', invoke: { service: 'payments', action: 'chargePayment' }, compensate: { service: 'payments', action: 'refundPayment' } },
  ],
  complete: { service: 'orders', action: 'confirmOrder' },
  reject: { service: 'orders', action: 'rejectOrder' },
};
