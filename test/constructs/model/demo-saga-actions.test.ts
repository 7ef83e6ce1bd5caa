/**
 * The demo's saga participants declare in `sagaActions` exactly the actions their functions accept:
 * the action table each one's command schema is built from, and nothing else gets past the handler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaServiceSpec } from '../../../constructs/model/service-spec';
import { catalog } from '../../../services';
import { INVENTORY_SAGA_ACTIONS } from '../../../services/inventory/inventory';
import { createInventoryActions } from '../../../services/inventory/inventory-actions';
import { ORDER_SAGA_ACTIONS } from '../../../services/orders/order';
import { createOrderSagaActions } from '../../../services/orders/order-saga-actions';
import { PAYMENT_SAGA_ACTIONS } from '../../../services/payments/payments';
import { createPaymentActions } from '../../../services/payments/payment-actions';
import { InvalidCommandError } from '../../../runtime/saga-command';
import { lambdaContext } from '../../support/api-gateway-events';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
/** Parts the handlers are built with; a command refused for its shape never reaches them. */
const untouched = new Proxy({}, { get: () => { throw new Error('a refused command reached the store'); } }) as never;

/** Each participant's exported action table and its saga-action handler, built with parts that must not be reached. */
const participants: [string, readonly string[], (command: unknown) => Promise<unknown>][] = [
  ['orders', ORDER_SAGA_ACTIONS, createOrderSagaActions({ store: untouched, logger })],
  ['inventory', INVENTORY_SAGA_ACTIONS, (command) => createInventoryActions({ store: untouched, idempotencyStore: untouched, logger }).sagaAction(command, lambdaContext())],
  ['payments', PAYMENT_SAGA_ACTIONS, (command) => createPaymentActions({ store: untouched, settings: untouched, idempotencyStore: untouched, logger })(command, lambdaContext())],
];

/** Why the handler refuses a command with this action and an empty detail: the problems it names, by path. */
async function refusal(handle: (command: unknown) => Promise<unknown>, action: string): Promise<string> {
  const error = await handle({ action, detail: {} }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidCommandError);
  return (error as Error).message;
}

describe.each(participants)('the %s service', (name, table, handle) => {
  const spec = catalog.find((s) => s.name === name) as LambdaServiceSpec;

  test('declares exactly the actions of its code\'s action table', () => {
    expect(spec.sagaActions).toEqual([...table]);
  });

  test('its handler refuses an action outside the table for the action itself', async () => {
    expect(await refusal(handle, 'shipEverything')).toMatch(/action/);
  });

  test.each([...table])('its handler takes %s (it refuses the empty detail, not the action)', async (action) => {
    expect(await refusal(handle, action)).not.toMatch(/\baction\b/);
  });
});
