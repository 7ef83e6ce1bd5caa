/**
 * The inventory's part in the place-order saga and its reaction to confirmed orders:
 *
 * - `reserveStock` holds every line of the order (Powertools idempotency per order id, so a retried
 *   command returns the first answer), or, when one line cannot be held, releases what it held and
 *   refuses with OutOfStock or UnknownProduct, which makes the saga compensate;
 * - `releaseStock` (the compensation) gives back whatever the order holds, and does nothing when it
 *   holds nothing, so it is safe to run after a failed or half-done reservation and to repeat;
 * - on `OrderConfirmed`, the holds are committed: the units leave with the order.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DOMAIN_EVENTS, type DomainEventDetail } from '../shared/domain-events';
import { InvalidCommandError, sagaCommand, validate } from 'msa-platform-blueprint/runtime';
import { INVENTORY_SAGA_ACTIONS, type StockLine, mergeLines, reservationAmount } from './inventory';
import type { StockStore } from './stock-store';

const StockCommand = sagaCommand(INVENTORY_SAGA_ACTIONS, DOMAIN_EVENTS.OrderPlaced);

/** What a reservation answers, kept by the saga at `$.results.ReserveInventory`. */
export interface Reservation {
  readonly orderId: string;
  readonly lines: readonly (StockLine & { readonly unitPriceMinor: number })[];
  /** What the held lines cost, in minor units of the order's currency. */
  readonly amountMinor: number;
  readonly currency: string;
}

/** What the actions need. */
export interface InventoryActionsProps {
  readonly store: Pick<StockStore, 'hold' | 'release' | 'commit'>;
  /** Where idempotency records are kept: the service's table. */
  readonly idempotencyStore: BasePersistenceLayer;
  readonly logger: Logger;
}

/** The inventory's saga actions and event handlers. Build once per container. */
export function createInventoryActions(props: InventoryActionsProps) {
  const { store, logger } = props;
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'orderId', throwOnNoIdempotencyKey: true, expiresAfterSeconds: 24 * 60 * 60 });

  const releaseAll = async (orderId: string, lines: readonly StockLine[]): Promise<number> => {
    let released = 0;
    for (const line of lines) if (await store.release(line.productId, orderId)) released += 1;
    return released;
  };

  const reserve = makeIdempotent(
    async (order: { orderId: string; currency: string; items: StockLine[] }): Promise<Reservation> => {
      const lines = mergeLines(order.items);
      const held: Reservation['lines'][number][] = [];
      try {
        for (const line of lines) {
          const { unitPriceMinor } = await store.hold(line.productId, order.orderId, line.quantity);
          held.push({ ...line, unitPriceMinor });
        }
      } catch (error) {
        await releaseAll(order.orderId, held);
        throw error;
      }
      logger.info('stock reserved', { orderId: order.orderId, lines: held.length });
      return { orderId: order.orderId, lines: held, amountMinor: reservationAmount(held), currency: order.currency };
    },
    { persistenceStore: props.idempotencyStore, config: idempotency, keyPrefix: 'inventory.reserveStock' },
  );

  return {
    /** Handles a saga command (`reserveStock` or `releaseStock`). */
    async sagaAction(input: unknown, context: Context): Promise<Reservation | { orderId: string; released: number }> {
      const checked = validate(StockCommand, input);
      if (!checked.ok) throw new InvalidCommandError(`the command does not fit: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
      const { action, detail } = checked.value;
      switch (action) {
        case 'reserveStock':
          idempotency.registerLambdaContext(context);
          return reserve({ orderId: detail.orderId, currency: detail.currency, items: detail.items });
        case 'releaseStock': {
          const released = await releaseAll(detail.orderId, mergeLines(detail.items));
          logger.info('stock released', { orderId: detail.orderId, released });
          return { orderId: detail.orderId, released };
        }
      }
    },

    /** On `OrderConfirmed`: the order's held units leave with it. Repeating it changes nothing. */
    async orderConfirmed(detail: DomainEventDetail<'OrderConfirmed'>): Promise<void> {
      let committed = 0;
      for (const line of mergeLines(detail.items)) if (await store.commit(line.productId, detail.orderId)) committed += 1;
      logger.info('stock committed', { orderId: detail.orderId, committed });
    },
  };
}
