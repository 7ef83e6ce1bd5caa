/**
 * The Lambda handler around a BFF's routes: the request's correlation id on every log line and
 * passed downstream, degraded answers counted (`DegradedResponses`, the metric the feature-flag
 * rollback alarm watches), metrics flushed, and anything unexpected a 500 that tells nothing of
 * its cause.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { handleHttp, RouteHandler, Routes, routeRequests } from 'msa-platform-blueprint/runtime';

/** The header that lists the dependencies a response was degraded by. */
export const DEGRADED_HEADER = 'x-degraded';

export function createBffHandler(routes: Routes, logger: Logger, metrics: Metrics): RouteHandler {
  return handleHttp(routeRequests(routes), {
    logger,
    metrics,
    after: (response) => {
      const degraded = response.headers?.[DEGRADED_HEADER];
      if (degraded !== undefined) {
        metrics.addMetric('DegradedResponses', MetricUnit.Count, 1);
        logger.warn('answered degraded', { degraded, statusCode: response.statusCode });
      }
    },
  });
}
