/**
 * What a saga's state machine sends a participant: `{ action, detail, results, failure? }` (see the
 * `Saga` construct). `detail` is the event that started the saga, `results` what earlier steps
 * returned, `failure` the error that made the saga compensate.
 *
 * Participants raise {@link BusinessRuleError}s for refusals (the saga compensates at once, and the
 * error's name and message become the rejection reason) and let anything else propagate (the
 * saga retries transient errors with backoff).
 */
import * as z from 'zod/mini';

/** The error a saga caught, as Step Functions records it: `Cause` is the Lambda error as JSON. */
export const SagaFailure = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
export type SagaFailure = z.infer<typeof SagaFailure>;

/**
 * The command for a participant: one of its `actions` (anything else is refused when the command is
 * checked), with the starting event's detail as `Detail`.
 */
export function sagaCommand<const Actions extends readonly [string, ...string[]], Detail extends z.ZodMiniType>(actions: Actions, detail: Detail) {
  return z.object({
    action: z.enum(actions),
    detail,
    results: z.optional(z.record(z.string(), z.unknown())),
    failure: z.optional(SagaFailure),
  });
}

/** Whether an invocation's event is a saga command (it has an `action`). */
export function isSagaCommand(event: unknown): event is { action: string } {
  return typeof event === 'object' && event !== null && typeof (event as { action?: unknown }).action === 'string';
}

/** A refusal by the rules of the business: not worth a retry, the saga must compensate. Subclasses name the rule. */
export class BusinessRuleError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Raised for a command whose action the participant does not know or whose input does not fit. */
export class InvalidCommandError extends BusinessRuleError {
  constructor(message: string) {
    super('InvalidCommand', message);
  }
}

/** The reason a saga failed, for people: `OutOfStock: only 2 of grinder left`, from the error Step Functions caught. */
export function failureReason(failure: SagaFailure | undefined): string {
  if (failure === undefined) return 'the saga failed for an unknown reason';
  let message: string | undefined;
  try {
    const cause = JSON.parse(failure.Cause ?? '') as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    message = failure.Cause;
  }
  return message ? `${failure.Error}: ${message}` : failure.Error;
}
