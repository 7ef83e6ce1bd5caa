/**
 * The request metric of a container service: one histogram of server request durations, named and
 * attributed as the OpenTelemetry HTTP semantic conventions name them, plus the status class the
 * alarms group by. The ADOT collector's awsemf exporter turns it into CloudWatch metrics with the
 * dimension sets [service.name] and [service.name, http.response.status_class]. The names come
 * from `constructs/model/telemetry.ts`, which the collector config and the alarms read too.
 *
 * Recorded through the OpenTelemetry API: a no-op until `startTelemetry` registers a meter provider.
 */
import { type Attributes, type Histogram, metrics } from '@opentelemetry/api';
import { REQUEST_ATTRIBUTES, REQUEST_DURATION_METRIC, UNMATCHED_ROUTE, statusClassOf } from '../../constructs/model/telemetry';

export { REQUEST_DURATION_METRIC, UNMATCHED_ROUTE };

/** The methods kept as they are; any other is recorded as `_OTHER`, as the conventions ask. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/** Records request durations. Create it after telemetry has started: the meter is taken then. */
export class RequestMetrics {
  readonly #duration: Histogram<Attributes>;

  constructor() {
    this.#duration = metrics.getMeter('container-http-server').createHistogram(REQUEST_DURATION_METRIC, {
      description: 'Duration of HTTP server requests, health checks excluded',
      unit: 's',
    });
  }

  /** Records one answered request that took `seconds`. */
  record(method: string, route: string, statusCode: number, seconds: number): void {
    this.#duration.record(seconds, {
      [REQUEST_ATTRIBUTES.method]: KNOWN_METHODS.has(method) ? method : '_OTHER',
      [REQUEST_ATTRIBUTES.route]: route,
      [REQUEST_ATTRIBUTES.statusCode]: statusCode,
      [REQUEST_ATTRIBUTES.statusClass]: statusClassOf(statusCode),
    });
  }
}
