/**
 * The process a local Lambda function runs in: it loads the function's bundle (named by
 * `LOCAL_HANDLER_BUNDLE`, its handler export by `LOCAL_HANDLER_EXPORT`) once, as a Lambda container
 * does, then answers invocations sent over IPC with a Lambda context, reporting a thrown error as
 * Lambda does (`errorType`, `errorMessage`).
 */
import { randomUUID } from 'node:crypto';
import { resolvePrefixedLoopbackHosts } from './loopback-host-prefix';

resolvePrefixedLoopbackHosts();

/** An invocation sent to the worker. */
export interface WorkerInvocation {
  readonly id: number;
  readonly event: unknown;
  readonly timeoutMs: number;
}

/** The worker's answer. */
export type WorkerAnswer =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly errorType: string; readonly errorMessage: string } };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
const loaded = require(process.env.LOCAL_HANDLER_BUNDLE!) as Record<string, unknown>;
const handler = loaded[process.env.LOCAL_HANDLER_EXPORT ?? 'handler'] as Handler | undefined;
if (typeof handler !== 'function') {
  throw new Error(`${process.env.LOCAL_HANDLER_BUNDLE} exports no function named ${process.env.LOCAL_HANDLER_EXPORT}`);
}

function contextOf(invocation: WorkerInvocation) {
  const deadline = Date.now() + invocation.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}:live`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

process.on('message', (invocation: WorkerInvocation) => {
  handler(invocation.event, contextOf(invocation)).then(
    (result) => process.send!({ id: invocation.id, result: result ?? null } satisfies WorkerAnswer),
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      process.send!({ id: invocation.id, error: { errorType: failure.name, errorMessage: failure.message } } satisfies WorkerAnswer);
    },
  );
});
// The platform that started it is gone (even killed outright): nothing will invoke it again.
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
