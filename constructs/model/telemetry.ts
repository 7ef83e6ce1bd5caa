/**
 * What a container process reports about its requests, and how the collector beside it names it
 * in CloudWatch. The server code records these names; the collector config and the alarms read them.
 */

/** Histogram of request durations in seconds, one data point per answered request (health checks excepted). */
export const REQUEST_DURATION_METRIC = 'http.server.request.duration';

/** Attributes of every request data point. */
export const REQUEST_ATTRIBUTES = {
  method: 'http.request.method',
  /** The route template (`/products/{id}`), or {@link UNMATCHED_ROUTE}. */
  route: 'http.route',
  statusCode: 'http.response.status_code',
  /** `2xx`, `3xx`, `4xx` or `5xx`. */
  statusClass: 'http.response.status_class',
} as const;

/** The `http.route` of a request that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The resource attribute naming the service (from `OTEL_SERVICE_NAME`). */
export const SERVICE_NAME_ATTRIBUTE = 'service.name';

/** The status class of an HTTP status code. */
export function statusClassOf(statusCode: number): string {
  return `${Math.min(5, Math.max(1, Math.floor(statusCode / 100)))}xx`;
}
