/**
 * The frame every Lambda HTTP handler runs its routes in: an event that is not an API Gateway
 * proxy event refused with a 400 naming what is wrong with it, the request's correlation id on every log
 * line, its call context current (so `downstreamHeaders()` carries the id and trace on to every
 * call it makes), the id returned in `x-correlation-id`, stored metrics flushed, and anything
 * unexpected a 500 that tells nothing of its cause (the cause goes to the log).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { callContextOf, runWithCallContext } from './call-context';
import { CORRELATION_ID_HEADER } from './http-request';
import { badRequest, serverError, withHeaders } from './http-response';
import type { RouteHandler } from './http-router';
import { ProxyEventShape } from './lambda-event';
import { validate } from './validation';

/** What a service adds to the frame. */
export interface HttpHandlerOptions {
  /** Logs every request's problems and failures. @default - a logger named by `POWERTOOLS_SERVICE_NAME` (which the platform sets) */
  readonly logger?: Logger;
  /** Flushed after every request. @default - no metrics */
  readonly metrics?: Metrics;
  /** Runs before the routes, with the invocation's context (e.g. to register it for idempotency). */
  readonly before?: (context: Context) => void;
  /** Turns an error the service expects into its answer; `undefined` leaves it a 500. */
  readonly answerError?: (error: unknown) => APIGatewayProxyResult | undefined;
  /** Sees each answer before it leaves (e.g. to count degraded ones). */
  readonly after?: (response: APIGatewayProxyResult) => void;
}

/** Wraps `route` in the frame described above. */
export function handleHttp(route: RouteHandler, options: HttpHandlerOptions = {}): RouteHandler {
  const { metrics } = options;
  const logger = options.logger ?? new Logger();
  return async (event, context) => {
    const shape = validate(ProxyEventShape, event);
    if (!shape.ok) {
      logger.warn('request refused: the event is not an API Gateway proxy event', { problems: shape.problems });
      return badRequest('the event is not an API Gateway proxy event', shape.problems);
    }
    const call = callContextOf(event);
    logger.resetKeys();
    logger.addContext(context);
    logger.setCorrelationId(call.correlationId);
    options.before?.(context);
    try {
      let response: APIGatewayProxyResult;
      try {
        response = await runWithCallContext(call, () => route(event, context));
      } catch (error) {
        const answer = options.answerError?.(error);
        if (answer === undefined) logger.error('request failed', error as Error);
        response = answer ?? serverError();
      }
      options.after?.(response);
      return withHeaders(response, { [CORRELATION_ID_HEADER]: call.correlationId });
    } finally {
      if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
