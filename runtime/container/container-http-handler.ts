/**
 * The frame every container service's API runs its routes in, the counterpart of `handleHttp` for
 * a process that serves many requests at once: each request logs through a child logger carrying
 * its correlation id and X-Ray trace id (so concurrent requests never mix their keys), runs with its
 * call context current (so `downstreamHeaders()` carries both on), gets the id back in
 * `x-correlation-id`, and logs one `request answered` line; anything unexpected becomes a 500 that
 * tells nothing of its cause (the cause goes to the log). Stored Powertools metrics are flushed
 * after each request.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { callContextOf, runWithCallContext, traceIdOf } from '../call-context';
import { CORRELATION_ID_HEADER } from '../http-request';
import { serverError, withHeaders } from '../http-response';
import type { RouteHandler } from '../http-router';
import type { ProxyHandler } from './http-server';

/** What each route gets beside the event: a logger for this request only. */
export interface RequestScope {
  readonly log: Logger;
}

/** What a service adds to the frame. */
export interface ContainerHttpHandlerOptions {
  /** The process's logger; each request logs through a child of it. */
  readonly logger: Logger;
  /** Flushed after every request that stored some. @default - no metrics */
  readonly metrics?: Metrics;
}

/** Wraps `route` in the frame described above. */
export function handleContainerHttp(route: RouteHandler<RequestScope>, options: ContainerHttpHandlerOptions): ProxyHandler {
  const { logger, metrics } = options;
  return async (event) => {
    const call = callContextOf(event);
    const log = logger.createChild();
    log.setCorrelationId(call.correlationId);
    const traceId = traceIdOf(call);
    log.appendKeys({ method: event.httpMethod, path: event.path, ...(traceId ? { xray_trace_id: traceId } : {}) });
    const started = performance.now();
    let response: APIGatewayProxyResult;
    try {
      response = await runWithCallContext(call, () => route(event, { log }));
    } catch (error) {
      log.error('request failed', error as Error);
      response = serverError();
    }
    log.info('request answered', { statusCode: response.statusCode, durationMs: Math.round(performance.now() - started) });
    if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
    return withHeaders(response, { [CORRELATION_ID_HEADER]: call.correlationId });
  };
}
