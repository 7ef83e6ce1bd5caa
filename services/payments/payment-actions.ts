/**
 * The payments service's part in the place-order saga:
 *
 * - `chargePayment` takes the amount the inventory reserved (`results.ReserveInventory.amountMinor`)
 *   under the per-charge limit from the config store, or declines with PaymentDeclined, which makes
 *   the saga compensate. Powertools idempotency per order id returns the first answer to a retry,
 *   and the conditional write keeps one charge per order even when the record has expired.
 * - `refundPayment` (the compensation) refunds the order's charge if it was taken and not yet
 *   refunded, and otherwise does nothing, so it is safe after a failed charge and to repeat.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { DOMAIN_EVENTS } from '../shared/domain-events';
import { InvalidCommandError, sagaCommand, validate } from 'msa-platform-blueprint/runtime';
import type { ChargeStore } from './charge-store';
import { type Charge, PAYMENT_SAGA_ACTIONS, PaymentSettings, decideCharge, isRefundable } from './payments';

const PaymentCommand = sagaCommand(PAYMENT_SAGA_ACTIONS, DOMAIN_EVENTS.OrderPlaced);
/** What a charge needs from the reservation step. */
const ReservationResult = z.object({ ReserveInventory: z.object({ amountMinor: z.int().check(z.minimum(0)) }) });

/** What the actions need. */
export interface PaymentActionsProps {
  readonly store: Pick<ChargeStore, 'put' | 'get' | 'refund'>;
  readonly settings: { read(): Promise<PaymentSettings> };
  readonly idempotencyStore: BasePersistenceLayer;
  readonly logger: Logger;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

/** Builds the saga-action handler. Call once per container. */
export function createPaymentActions(props: PaymentActionsProps): (input: unknown, context: Context) => Promise<Charge | { orderId: string; refunded: boolean }> {
  const { store, logger } = props;
  const now = props.now ?? (() => new Date());
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'orderId', throwOnNoIdempotencyKey: true, expiresAfterSeconds: 24 * 60 * 60 });

  const charge = makeIdempotent(
    async (request: { orderId: string; customerId: string; amountMinor: number; currency: string }): Promise<Charge> => {
      const decided = decideCharge(request, await props.settings.read(), now());
      const stored = await store.put(decided);
      logger.info('payment charged', { orderId: stored.orderId, amountMinor: stored.amountMinor, currency: stored.currency });
      return stored;
    },
    { persistenceStore: props.idempotencyStore, config: idempotency, keyPrefix: 'payments.chargePayment' },
  );

  return async (input, context) => {
    const checked = validate(PaymentCommand, input);
    if (!checked.ok) throw new InvalidCommandError(`the command does not fit: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    const { action, detail, results } = checked.value;
    switch (action) {
      case 'chargePayment': {
        const reservation = validate(ReservationResult, results ?? {});
        if (!reservation.ok) throw new InvalidCommandError('chargePayment needs results.ReserveInventory.amountMinor from the reservation step');
        idempotency.registerLambdaContext(context);
        return charge({ orderId: detail.orderId, customerId: detail.customerId, amountMinor: reservation.value.ReserveInventory.amountMinor, currency: detail.currency });
      }
      case 'refundPayment': {
        const existing = await store.get(detail.orderId);
        const refunded = isRefundable(existing) ? await store.refund(detail.orderId, now()) : false;
        logger.info('payment refund', { orderId: detail.orderId, refunded, status: existing?.status ?? 'none' });
        return { orderId: detail.orderId, refunded };
      }
    }
  };
}
