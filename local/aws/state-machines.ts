/**
 * The sagas' state machines, run locally by interpreting their synthesized definitions with
 * aws-local-stepfunctions: every Task's `Resource` (a function's ARN) invokes that local
 * function, and an error it throws reaches the definition's `Retry` and `Catch` as Step Functions
 * reports a Lambda error (`Error` its type, `Cause` the error as JSON). Executions are kept with
 * their states, step by step, for the dashboard.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { nameInArn } from '../assembly/cloud-assembly';
import type { LocalStateMachine } from '../assembly/platform-model';
import type { InvocationOutcome } from '../runner/local-functions';

// aws-local-stepfunctions calls Promise.withResolvers (Node 22); this is the standard's own definition, for Node 20.
const promiseConstructor = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void } };
promiseConstructor.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** One step of an execution. */
export interface ExecutionStep {
  readonly at: string;
  readonly type: string;
  readonly state?: string;
  readonly error?: string;
}

/** One execution. */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineName: string;
  readonly startedAt: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly input: unknown;
  output?: unknown;
  error?: string;
  readonly steps: ExecutionStep[];
}

/** A Lambda error as a thrown error: its name is the error type, its message the error as JSON. */
class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage, trace: [] }));
    this.name = errorType;
  }
}

export class LocalStateMachines {
  readonly #machines = new Map<string, LocalStateMachine>();
  readonly #invoke: (functionName: string, payload: unknown) => Promise<InvocationOutcome>;
  readonly #timeScale: number;
  readonly #running = new Set<Promise<unknown>>();
  readonly #aborts = new Set<() => void>();
  /** Executions, oldest first. */
  readonly executions: ExecutionRecord[] = [];

  /**
   * @param timeScale multiplies every retry interval of the definitions (1 runs them as written)
   */
  constructor(props: { readonly stateMachines: readonly LocalStateMachine[]; readonly invoke: (functionName: string, payload: unknown) => Promise<InvocationOutcome>; readonly timeScale?: number }) {
    for (const machine of props.stateMachines) this.#machines.set(machine.name, machine);
    this.#invoke = props.invoke;
    this.#timeScale = props.timeScale ?? 1;
  }

  get names(): string[] {
    return [...this.#machines.keys()];
  }

  /** Starts an execution of `stateMachineName`; returns its record at once, the run goes on. */
  start(stateMachineName: string, input: unknown): ExecutionRecord {
    const machine = this.#machines.get(stateMachineName);
    if (machine === undefined) throw new Error(`no state machine named ${stateMachineName}`);
    const record: ExecutionRecord = {
      executionArn: `arn:aws:states:local:000000000000:execution:${stateMachineName}:${randomUUID()}`,
      stateMachineName,
      startedAt: new Date().toISOString(),
      status: 'RUNNING',
      input,
      steps: [],
    };
    this.executions.push(record);
    if (this.executions.length > 100) this.executions.splice(0, this.executions.length - 100);

    const states = machine.definition.States as Record<string, { Type: string; Resource?: string; Retry?: { IntervalSeconds?: number; BackoffRate?: number; MaxAttempts?: number }[] }>;
    const handlers: Record<string, (payload: unknown) => Promise<any>> = {};
    const retryIntervals: Record<string, number[]> = {};
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type !== 'Task' || state.Resource === undefined) continue;
      const functionName = nameInArn(state.Resource);
      handlers[stateName] = async (payload) => {
        const outcome = await this.#invoke(functionName, payload);
        if ('error' in outcome) throw new LambdaFunctionError(outcome.error.errorType, outcome.error.errorMessage);
        return outcome.result;
      };
      if (this.#timeScale !== 1 && state.Retry !== undefined) {
        retryIntervals[stateName] = state.Retry.map((retrier) => (retrier.IntervalSeconds ?? 1) * 1000 * this.#timeScale);
      }
    }
    const stateMachine = new StateMachine(machine.definition as any, { validationOptions: { checkArn: false, checkPaths: false } });
    const execution = stateMachine.run(input as any, { overrides: { taskResourceLocalHandlers: handlers, ...(this.#timeScale === 1 ? {} : { retryIntervalOverrides: retryIntervals }) }, noThrowOnAbort: true });
    this.#aborts.add(execution.abort);
    const logging = (async () => {
      for await (const event of execution.eventLogs) record.steps.push(stepOf(event as Exclude<EventLog, void>));
    })();
    const run = execution.result.then(
      (output) => {
        record.status = 'SUCCEEDED';
        record.output = output;
      },
      (error: Error) => {
        record.status = 'FAILED';
        record.error = `${error.name}: ${error.message}`;
      },
    );
    const settled = Promise.allSettled([run, logging]).finally(() => {
      this.#running.delete(settled);
      this.#aborts.delete(execution.abort);
    });
    this.#running.add(settled);
    return record;
  }

  /** Aborts every running execution and waits for them to settle. */
  async stop(): Promise<void> {
    for (const abort of this.#aborts) abort();
    await Promise.all([...this.#running]);
  }
}

type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

function stepOf(event: Exclude<EventLog, void>): ExecutionStep {
  const at = new Date(event.timestamp).toISOString();
  const state = 'state' in event ? event.state.name : undefined;
  const error = 'Error' in event ? `${event.Error}${event.Cause === undefined ? '' : `: ${typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause)}`}` : undefined;
  return { at, type: event.type, ...(state === undefined ? {} : { state }), ...(error === undefined ? {} : { error }) };
}
