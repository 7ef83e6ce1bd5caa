/**
 * The request metric of a container service: one histogram of server request durations, named and
 * attributed as the OpenTelemetry HTTP semantic conventions name them, plus the status class the
 * alarms group by. The ADOT collector's awsemf exporter turns it into CloudWatch metrics with the
 * dimension sets [deployment.environment, service.name] and
 * [deployment.environment, service.name, http.response.status_class]; the names here are that contract.
 *
 * Recorded through the OpenTelemetry API: a no-op until `startTelemetry` registers a meter provider.
 */
import { type Histogram, metrics } from '@opentelemetry/api';

/** The histogram's name. */
export const REQUEST_DURATION_METRIC = 'http.server.request.duration';

/** The `http.route` of a request that matched no route: a fixed value, never the raw path, so the series stay few. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The attributes of every data point. */
export type RequestAttributes = {
  readonly 'http.request.method': string;
  /** The matched route template (`/products/{id}`), or {@link UNMATCHED_ROUTE}. */
  readonly 'http.route': string;
  readonly 'http.response.status_code': number;
  /** `2xx`, `3xx`, `4xx` or `5xx`. */
  readonly 'http.response.status_class': string;
};

/** The methods kept as they are; any other is recorded as `_OTHER`, as the conventions ask. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/** Records request durations. Create it after telemetry has started: the meter is taken then. */
export class RequestMetrics {
  readonly #duration: Histogram<RequestAttributes>;

  constructor() {
    this.#duration = metrics.getMeter('container-http-server').createHistogram<RequestAttributes>(REQUEST_DURATION_METRIC, {
      description: 'Duration of HTTP server requests, health checks excluded',
      unit: 's',
    });
  }

  /** Records one answered request that took `seconds`. */
  record(method: string, route: string, statusCode: number, seconds: number): void {
    this.#duration.record(seconds, {
      'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
      'http.route': route,
      'http.response.status_code': statusCode,
      'http.response.status_class': `${Math.floor(statusCode / 100)}xx`,
    });
  }
}
