/**
 * The domain events services exchange over the bus: one schema per event type, in code, so a
 * payload is checked where it is published and again where it is received.
 *
 * The event type is the EventBridge `detail-type`, the payload its `detail`, the publishing
 * service its `source`. Schemas are `zod/mini` to keep Lambda bundles small. Objects are not
 * strict, so a publisher may add a field without breaking consumers that do not know it yet.
 */
import * as z from 'zod/mini';
import { validate, type Checked } from './validation';

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
export type DomainEventDetail<T extends DomainEventType> = z.infer<(typeof DOMAIN_EVENTS)[T]>;
/** An event of any type, with its type. */
export type DomainEvent = { [T in DomainEventType]: { readonly type: T; readonly detail: DomainEventDetail<T> } }[DomainEventType];

/** Whether `type` names a domain event type. */
export function isDomainEventType(type: unknown): type is DomainEventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(DOMAIN_EVENTS, type);
}

/** Checks a detail against the schema of its type; an unknown type is a problem at `detail-type`. */
export function checkDomainEvent(type: unknown, detail: unknown): Checked<DomainEvent> {
  if (!isDomainEventType(type)) {
    return { ok: false, problems: [{ path: 'detail-type', message: `'${String(type)}' is not a known event type (${Object.keys(DOMAIN_EVENTS).join(', ')})` }] };
  }
  const checked = validate(DOMAIN_EVENTS[type], detail);
  if (!checked.ok) return { ok: false, problems: checked.problems.map((problem) => ({ path: `detail.${problem.path}`, message: problem.message })) };
  return { ok: true, value: { type, detail: checked.value } as DomainEvent };
}

/** The problems as one line, e.g. `detail.orderId is required; detail.items must have at least 1 entry`. */
export function describeProblems(problems: readonly { path: string; message: string }[]): string {
  return problems.map((problem) => `${problem.path} ${problem.message}`).join('; ');
}
