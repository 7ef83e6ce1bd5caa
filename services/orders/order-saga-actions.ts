/**
 * The orders service's part in the place-order saga: `confirmOrder` when every step succeeded,
 * `rejectOrder` (with the reason) after the compensations ran. Both are idempotent by the order's
 * state: confirming a confirmed order, or rejecting a rejected one, appends nothing.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { DOMAIN_EVENTS } from '../shared/domain-events';
import { InvalidCommandError, failureReason, sagaCommand, validate } from 'msa-platform-blueprint/runtime';
import { ORDER_SAGA_ACTIONS, type Order, type OrderEvent, confirmOrder, rejectOrder } from './order';
import type { OrderStore } from './order-store';

const OrderCommand = sagaCommand(ORDER_SAGA_ACTIONS, z.object({ orderId: DOMAIN_EVENTS.OrderPlaced.shape.orderId }));

/** What the actions need. */
export interface OrderSagaActionsProps {
  readonly store: Pick<OrderStore, 'load' | 'append'>;
  readonly logger: Logger;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

/** Builds the saga-action handler. Call once per container. */
export function createOrderSagaActions(props: OrderSagaActionsProps): (command: unknown) => Promise<{ orderId: string; status: Order['status']; version: number }> {
  const { store, logger } = props;
  const now = props.now ?? (() => new Date());
  return async (input) => {
    const checked = validate(OrderCommand, input);
    if (!checked.ok) throw new InvalidCommandError(`the command does not fit: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    const command = checked.value;
    const orderId = command.detail.orderId;
    const { order } = await store.load(orderId);
    if (order === undefined) throw new InvalidCommandError(`there is no order ${orderId}`);
    const events: OrderEvent[] = command.action === 'confirmOrder' ? confirmOrder(order, now()) : rejectOrder(order, failureReason(command.failure), now());
    // A concurrent writer makes append throw ConcurrencyConflictError, which the saga retries.
    const result = events.length === 0 ? order : await store.append(orderId, order, events[0]);
    logger.info('saga action done', { action: command.action, orderId, status: result.status, appended: events.length });
    return { orderId, status: result.status, version: result.version };
  };
}
