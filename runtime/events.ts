/**
 * A service's event catalog: one schema per event type, in code, so a payload is checked where it
 * is published and again where it is received.
 *
 * The event type is the EventBridge `detail-type`, the payload its `detail`, the publishing service
 * its `source`. Any zod schema works; `zod/mini` keeps Lambda bundles small. Declare the catalog
 * once (a module both the publisher and the consumers import) and hand it to `EventPublisher`,
 * `createEventConsumer` and `runContainerProcess`.
 */
import type * as zod from 'zod/v4/core';
import { validate, type Checked } from './validation';

/** Event types and the schema of each one's detail, e.g. `{ OrderPlaced: z.object({ ... }) }`. */
export type EventSchemas = { readonly [type: string]: zod.$ZodType };

/** The name of an event type of the catalog `E`. */
export type EventName<E extends EventSchemas> = keyof E & string;

/** The detail of an event of type `T` of the catalog `E`. */
export type EventDetail<E extends EventSchemas, T extends EventName<E>> = zod.output<E[T]>;

/** An event of any type of the catalog `E`, with its type. */
export type EventOf<E extends EventSchemas> = { [T in EventName<E>]: { readonly type: T; readonly detail: EventDetail<E, T> } }[EventName<E>];

/** Whether `type` names an event type of the catalog. */
export function isEventType<E extends EventSchemas>(events: E, type: unknown): type is EventName<E> {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(events, type);
}

/** Checks a detail against the schema of its type; an unknown type is a problem at `detail-type`. */
export function checkEvent<E extends EventSchemas>(events: E, type: unknown, detail: unknown): Checked<EventOf<E>> {
  if (!isEventType(events, type)) {
    return { ok: false, problems: [{ path: 'detail-type', message: `'${String(type)}' is not a known event type (${Object.keys(events).join(', ')})` }] };
  }
  const checked = validate(events[type], detail);
  if (!checked.ok) return { ok: false, problems: checked.problems.map((problem) => ({ path: `detail.${problem.path}`, message: problem.message })) };
  return { ok: true, value: { type, detail: checked.value } as EventOf<E> };
}

/** The problems as one line, e.g. `detail.orderId is required; detail.items must have at least 1 entry`. */
export function describeProblems(problems: readonly { path: string; message: string }[]): string {
  return problems.map((problem) => `${problem.path} ${problem.message}`).join('; ');
}
