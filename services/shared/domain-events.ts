/**
 * The demo shop's event catalog: the domain events its services exchange over the bus, one schema
 * per event type (see `EventSchemas` in the runtime entry). Schemas are `zod/mini` to keep Lambda
 * bundles small. Objects are not strict, so a publisher may add a field without breaking consumers
 * that do not know it yet.
 */
import { type Checked, type EventDetail, type EventOf, checkEvent, isEventType } from 'msa-platform-blueprint/runtime';
import * as z from 'zod/mini';

const Id = z.string().check(z.minLength(1), z.maxLength(64));
const Timestamp = z.string().check(z.minLength(1));

/** One line of an order, as events carry it. */
export const OrderLineDetail = z.object({
  productId: Id,
  quantity: z.int().check(z.positive()),
});

/** Every event type and the schema of its detail. */
export const DOMAIN_EVENTS = {
  /** An order was placed; it starts the place-order saga. */
  OrderPlaced: z.object({
    orderId: Id,
    customerId: Id,
    items: z.array(OrderLineDetail).check(z.minLength(1)),
    currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
    placedAt: Timestamp,
  }),
  /** Every step of the saga succeeded: stock is held and payment taken. */
  OrderConfirmed: z.object({
    orderId: Id,
    customerId: Id,
    items: z.array(OrderLineDetail).check(z.minLength(1)),
    confirmedAt: Timestamp,
  }),
  /** The saga failed and was compensated; `reason` says why. */
  OrderRejected: z.object({
    orderId: Id,
    customerId: Id,
    reason: z.string().check(z.minLength(1)),
    rejectedAt: Timestamp,
  }),
} as const;

/** The name of a domain event type. */
export type DomainEventType = keyof typeof DOMAIN_EVENTS;
/** The detail of an event of type `T`. */
export type DomainEventDetail<T extends DomainEventType> = EventDetail<typeof DOMAIN_EVENTS, T>;
/** An event of any type, with its type. */
export type DomainEvent = EventOf<typeof DOMAIN_EVENTS>;

/** Whether `type` names a domain event type. */
export function isDomainEventType(type: unknown): type is DomainEventType {
  return isEventType(DOMAIN_EVENTS, type);
}

/** Checks a detail against the schema of its type; an unknown type is a problem at `detail-type`. */
export function checkDomainEvent(type: unknown, detail: unknown): Checked<DomainEvent> {
  return checkEvent(DOMAIN_EVENTS, type, detail);
}
