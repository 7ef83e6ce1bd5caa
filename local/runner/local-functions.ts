/**
 * The Lambda services of the local platform: each function's code bundled with esbuild and run in
 * a worker process of its own (`lambda-worker.ts`) with the environment its construct gives it,
 * pointed at the local stand-ins. `invoke` hands an event to the function and resolves with what
 * Lambda would answer: the result, or the error the handler threw (`errorType`, `errorMessage`),
 * or `Sandbox.Timedout` when it ran past the function's timeout.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import type { LocalFunction } from '../assembly/platform-model';
import { bundleForNode } from './bundle';
import type { WorkerAnswer, WorkerInvocation } from './lambda-worker';
import type { LogTail } from './log-tail';

/** What an invocation came to. */
export type InvocationOutcome = { readonly result: unknown } | { readonly error: { readonly errorType: string; readonly errorMessage: string } };

/** One invocation, for the dashboard. */
export interface InvocationRecord {
  readonly functionName: string;
  readonly kind: string;
  readonly at: string;
  readonly durationMs: number;
  readonly error?: string;
}

interface Worker {
  readonly fn: LocalFunction;
  readonly child: ChildProcess;
  readonly pending: Map<number, (outcome: InvocationOutcome) => void>;
}

export class LocalFunctions {
  readonly #workers = new Map<string, Worker>();
  readonly #logs: LogTail;
  #next = 0;
  /** The newest invocations, oldest first. */
  readonly invocations: InvocationRecord[] = [];

  private constructor(logs: LogTail) {
    this.#logs = logs;
  }

  /** Bundles and starts every function; resolves once each has loaded its code. */
  static async start(props: { readonly functions: readonly LocalFunction[]; readonly environment: Record<string, string>; readonly bundleDirectory: string; readonly logs: LogTail }): Promise<LocalFunctions> {
    const functions = new LocalFunctions(props.logs);
    const workerBundle = await bundleForNode(path.join(__dirname, 'lambda-worker.ts'), path.join(props.bundleDirectory, 'lambda-worker.js'));
    try {
      await Promise.all(
        props.functions.map(async (fn) => {
          const bundle = await bundleForNode(fn.entry, path.join(props.bundleDirectory, `${fn.functionName}.js`));
          await functions.#startWorker(fn, workerBundle, bundle, props.environment);
        }),
      );
    } catch (error) {
      await functions.stop();
      throw error;
    }
    return functions;
  }

  async #startWorker(fn: LocalFunction, workerBundle: string, bundle: string, environment: Record<string, string>): Promise<void> {
    const child = fork(workerBundle, [], {
      env: {
        PATH: process.env.PATH ?? '',
        ...environment,
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
        LOCAL_HANDLER_BUNDLE: bundle,
        LOCAL_HANDLER_EXPORT: fn.handlerExport,
        NODE_OPTIONS: '--enable-source-maps',
      },
      // Plain node: not the loader (tsx) the platform itself may run under.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#logs.follow(fn.service, child.stdout!, 'stdout');
    this.#logs.follow(fn.service, child.stderr!, 'stderr');
    const worker: Worker = { fn, child, pending: new Map() };
    this.#workers.set(fn.functionName, worker);
    await new Promise<void>((resolve, reject) => {
      const failed = (code: number | null) => reject(new Error(`the function ${fn.functionName} (service '${fn.service}') exited with ${code} while loading; its last lines: ${this.#logs.last(fn.service, 5).map((line) => line.text).join(' | ')}`));
      child.once('exit', failed);
      child.on('message', (message: WorkerAnswer | { ready: true }) => {
        if ('ready' in message) {
          child.off('exit', failed);
          resolve();
          return;
        }
        const settle = worker.pending.get(message.id);
        worker.pending.delete(message.id);
        settle?.('error' in message ? { error: message.error } : { result: message.result });
      });
    });
    child.on('exit', (code, signal) => {
      for (const settle of worker.pending.values()) settle({ error: { errorType: 'Runtime.ExitError', errorMessage: `the function's process exited (${code ?? signal})` } });
      worker.pending.clear();
    });
  }

  /** Whether a function of that name runs here. */
  has(functionName: string): boolean {
    return this.#workers.has(functionName);
  }

  /** Whether `service`'s worker runs. */
  isRunning(service: string): boolean {
    return [...this.#workers.values()].some((worker) => worker.fn.service === service && worker.child.exitCode === null && worker.child.signalCode === null);
  }

  /** Names of the functions, with their services. */
  list(): readonly LocalFunction[] {
    return [...this.#workers.values()].map((worker) => worker.fn);
  }

  /** Invokes `functionName` with `event`; `kind` labels the invocation on the dashboard. */
  invoke(functionName: string, event: unknown, kind = 'invoke'): Promise<InvocationOutcome> {
    const worker = this.#workers.get(functionName);
    if (worker === undefined) return Promise.resolve({ error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionName}` } });
    const id = (this.#next += 1);
    const timeoutMs = worker.fn.timeoutSeconds * 1000;
    const started = Date.now();
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        worker.pending.delete(id);
        resolve({ error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${worker.fn.timeoutSeconds} seconds` } });
      }, timeoutMs);
      worker.pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      worker.child.send({ id, event, timeoutMs } satisfies WorkerInvocation);
    }).then((outcome) => {
      this.invocations.push({ functionName, kind, at: new Date(started).toISOString(), durationMs: Date.now() - started, ...('error' in outcome ? { error: `${outcome.error.errorType}: ${outcome.error.errorMessage}` } : {}) });
      if (this.invocations.length > 200) this.invocations.splice(0, this.invocations.length - 200);
      return outcome;
    });
  }

  /** Stops every worker and waits for each to exit. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.#workers.values()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
            worker.child.once('exit', () => resolve());
            worker.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
