/**
 * The context a request carries into the calls it makes: its correlation id and its trace header.
 *
 * A request handler runs its work inside `runWithCallContext(callContextOf(event), ...)`; any code
 * below it that calls another service asks `downstreamHeaders()` for the headers of that call, so
 * the callee logs under the same correlation id and its trace joins the caller's, without the id
 * being handed down through every function. The context lives in an AsyncLocalStorage, so
 * concurrent requests in one process never see each other's.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AsyncLocalStorage } from 'node:async_hooks';
import { CORRELATION_ID_HEADER, correlationIdOf, headerValue } from './http-request';

/** The X-Ray trace header: `Root=1-...;Parent=...;Sampled=1`, set by API Gateway, ALB and Lambda. */
export const TRACE_HEADER = 'x-amzn-trace-id';

/** A well-formed trace header: `Key=value` pairs with safe characters only. */
const SAFE_TRACE_HEADER = /^[A-Za-z]+=[A-Za-z0-9.:-]+(;[A-Za-z]+=[A-Za-z0-9.:-]+)*$/;

/** What a request passes on to the calls it makes. */
export interface CallContext {
  /** The request's correlation id (taken from the caller, or made). */
  readonly correlationId: string;
  /** The trace header to continue, when the request carries one. */
  readonly traceHeader?: string;
}

const storage = new AsyncLocalStorage<CallContext>();

/**
 * The context of an incoming request: its correlation id (see `correlationIdOf`) and its trace
 * header, from the request or, on Lambda, from the environment Lambda sets per invocation.
 */
export function callContextOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>, environment: NodeJS.ProcessEnv = process.env): CallContext {
  const given = headerValue(event, TRACE_HEADER)?.trim() ?? environment._X_AMZN_TRACE_ID;
  const traceHeader = given !== undefined && given.length <= 256 && SAFE_TRACE_HEADER.test(given) ? given : undefined;
  return traceHeader === undefined ? { correlationId: correlationIdOf(event) } : { correlationId: correlationIdOf(event), traceHeader };
}

/** The X-Ray trace id (`1-...`) in a trace header, for log lines; `undefined` when there is none. */
export function traceIdOf(context: CallContext): string | undefined {
  return /(?:^|;)Root=([A-Za-z0-9-]+)/.exec(context.traceHeader ?? '')?.[1];
}

/** Runs `work` with `context` as the current call context of everything it awaits. */
export function runWithCallContext<T>(context: CallContext, work: () => T): T {
  return storage.run(context, work);
}

/** The call context of the request being handled, if any. */
export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

/**
 * The headers of a call to another service: `extra` (e.g. content type) with the correlation id
 * and trace header of `context` added. The context's headers replace any of the same name in
 * `extra`, so a call cannot drift from the request it serves.
 *
 * @throws Error when called outside a request (no context given or current): such a call would
 *   lose the correlation id, which is a wiring mistake to fix, not to hide
 */
export function downstreamHeaders(extra: Readonly<Record<string, string>> = {}, context: CallContext | undefined = currentCallContext()): Record<string, string> {
  if (context === undefined) {
    throw new Error('downstreamHeaders() was called outside a request: run the handler inside runWithCallContext(callContextOf(event), ...) or pass the context');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra)) {
    const lower = name.toLowerCase();
    if (lower !== CORRELATION_ID_HEADER && lower !== TRACE_HEADER) headers[name] = value;
  }
  headers[CORRELATION_ID_HEADER] = context.correlationId;
  if (context.traceHeader !== undefined) headers[TRACE_HEADER] = context.traceHeader;
  return headers;
}
