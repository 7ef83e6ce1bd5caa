/**
 * The saga spec names actions by string; each participant declares the actions it performs (and
 * refuses any other when it checks a command). They must agree, or an execution fails at run time.
 */
import { INVENTORY_SAGA_ACTIONS } from '../../services/inventory/inventory';
import { ORDER_SAGA_ACTIONS } from '../../services/orders/order';
import { PAYMENT_SAGA_ACTIONS } from '../../services/payments/payments';
import { sagas } from '../../services';

const performed: Record<string, readonly string[]> = { orders: ORDER_SAGA_ACTIONS, inventory: INVENTORY_SAGA_ACTIONS, payments: PAYMENT_SAGA_ACTIONS };

describe.each(sagas.map((saga) => [saga.name, saga] as const))('the %s saga', (_name, saga) => {
  const actions = [
    ...saga.steps.flatMap((step) => [[`${step.name}`, step.invoke] as const, [`Compensate${step.name}`, step.compensate] as const]),
    ['Complete', saga.complete] as const,
    ['Reject', saga.reject] as const,
  ];
  test.each(actions.map(([state, action]) => [state, action.service, action.action]))('%s asks %s for %s, an action it performs', (_state, service, action) => {
    expect(performed[service]).toContain(action);
  });
});
