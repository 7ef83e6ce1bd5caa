/**
 * The Lambda handler around a BFF's routes: the request's correlation id on every log line and
 * passed downstream, degraded answers counted (`DegradedResponses`, the metric the feature-flag
 * rollback alarm watches), metrics flushed, and anything unexpected a 500 that tells nothing of
 * its cause.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { CORRELATION_ID_HEADER, correlationIdOf } from '../http-request';
import { serverError, withHeaders } from '../http-response';
import { RouteHandler, Routes, routeRequests } from '../http-router';

/** The header that lists the dependencies a response was degraded by. */
export const DEGRADED_HEADER = 'x-degraded';

export function createBffHandler(routes: Routes, logger: Logger, metrics: Metrics): RouteHandler {
  const route = routeRequests(routes);
  return async (event, context) => {
    const correlationId = correlationIdOf(event);
    logger.resetKeys();
    logger.addContext(context);
    logger.setCorrelationId(correlationId);
    try {
      let response;
      try {
        response = await route(event, context);
      } catch (error) {
        logger.error('request failed', error as Error);
        response = serverError();
      }
      const degraded = response.headers?.[DEGRADED_HEADER];
      if (degraded !== undefined) {
        metrics.addMetric('DegradedResponses', MetricUnit.Count, 1);
        logger.warn('answered degraded', { degraded, statusCode: response.statusCode });
      }
      return withHeaders(response, { [CORRELATION_ID_HEADER]: correlationId });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
