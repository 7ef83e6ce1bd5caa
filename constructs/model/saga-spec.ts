/**
 * The saga model: a business transaction across services, declared as data. Each step is an action
 * of one service with the action of the same service that undoes it; the platform turns the spec
 * into a Step Functions state machine (see `Saga`) that runs the steps in order and, when one
 * fails, the compensations in reverse.
 */

/**
 * One action of one service. The function is invoked with `{ action, detail, results }` (and
 * `failure: { Error, Cause }` for compensations after a failure and for `reject`).
 */
export interface SagaActionSpec {
  /** The service, by name; a lambda service of the catalog. */
  readonly service: string;
  /** The action the service performs, e.g. `reserveStock`; camelCase. */
  readonly action: string;
}

/** A forward step and the action that undoes it. */
export interface SagaStepSpec {
  /** Step name, PascalCase, e.g. `ReserveInventory`; its result is kept at `$.results.<name>`. */
  readonly name: string;
  /** The forward action. */
  readonly invoke: SagaActionSpec;
  /** The action that undoes it; it must do nothing when there is nothing to undo. */
  readonly compensate: SagaActionSpec;
}

/** A saga started by a domain event. */
export interface SagaSpec {
  /** DNS-safe name, e.g. `place-order`; the state machine is `<platform>-<env>-<name>`. */
  readonly name: string;
  /** The event type that starts it; its detail is the saga's `detail`, handed to every action. */
  readonly startOn: string;
  /** Forward steps, in order. */
  readonly steps: SagaStepSpec[];
  /** The action that completes the transaction once every step succeeded, e.g. confirm the order. */
  readonly complete: SagaActionSpec;
  /** The action that records the failure after the compensations, e.g. reject the order with the reason. */
  readonly reject: SagaActionSpec;
}
