/**
 * OpenTelemetry for a container process: traces and request metrics, exported over OTLP/HTTP to
 * the ADOT collector beside it, which sends the spans to X-Ray and turns the metrics into
 * CloudWatch metrics (its awsemf exporter).
 *
 * Traces: trace ids are X-Ray ids and the `x-amzn-trace-id` header is the propagation format, so a
 * request traced by the gateway or the load balancer continues here, and the calls this process
 * makes continue from its own span.
 *
 * Metrics: exported as deltas (what CloudWatch adds up), and the request duration histogram
 * (`http.server.request.duration`, recorded by `ContainerHttpServer`) as an exponential histogram,
 * the only kind from which CloudWatch computes percentiles (p99) out of the exported values and counts.
 *
 * Settings come from the environment the infrastructure sets:
 * - `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector (`http://localhost:4318`); without it telemetry stays off
 * - `OTEL_SERVICE_NAME` (else `POWERTOOLS_SERVICE_NAME`): the service name, in the X-Ray service map and as a metric dimension
 * - `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs separated by commas (`service.namespace=shop,deployment.environment=dev`),
 *   put on every span and metric
 * - `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between metric exports (default 60000)
 * - `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`: the sampling of the profile (the SDK reads them itself)
 *
 * Spans and metrics come through the OpenTelemetry API, which does nothing until `startTelemetry`
 * registers the providers; start it before creating the server, whose instruments are made then.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AggregationTemporalityPreference, OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { Resource } from '@opentelemetry/resources';
import { ExponentialHistogramAggregation, MeterProvider, PeriodicExportingMetricReader, View } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { REQUEST_DURATION_METRIC } from './request-metrics';

/** Milliseconds between metric exports when `OTEL_METRIC_EXPORT_INTERVAL` is not set. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;

/** Telemetry that was started; flush it before the process exits. */
export interface RunningTelemetry {
  /** Exports the spans and metrics still buffered, stops both, and releases the global providers. */
  shutdown(): Promise<void>;
}

/**
 * Starts traces and metrics when the environment names a collector; returns `undefined` (telemetry off) otherwise.
 *
 * @throws Error naming the variable when `OTEL_METRIC_EXPORT_INTERVAL` or `OTEL_RESOURCE_ATTRIBUTES` is malformed
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): RunningTelemetry | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim().replace(/\/+$/, '');
  if (!endpoint) return undefined;
  const resource = resourceOf(env);
  const exportIntervalMillis = exportIntervalOf(env);

  const tracerProvider = new NodeTracerProvider({
    idGenerator: new AWSXRayIdGenerator(),
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), { scheduledDelayMillis: 1000 })],
  });
  tracerProvider.register({ propagator: new AWSXRayPropagator() });

  const meterProvider = new MeterProvider({
    resource,
    views: [new View({ instrumentName: REQUEST_DURATION_METRIC, aggregation: new ExponentialHistogramAggregation() })],
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics`, temporalityPreference: AggregationTemporalityPreference.DELTA }),
        exportIntervalMillis,
        // The reader refuses a timeout longer than the interval.
        exportTimeoutMillis: Math.min(30_000, exportIntervalMillis),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    shutdown: async () => {
      try {
        await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      } finally {
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

/** The resource of every span and metric: the attributes of `OTEL_RESOURCE_ATTRIBUTES` and the service name. */
function resourceOf(env: NodeJS.ProcessEnv): Resource {
  const attributes = resourceAttributesOf(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || attributes['service.name'] || env.POWERTOOLS_SERVICE_NAME?.trim() || 'unknown_service';
  return new Resource({ ...attributes, 'service.name': serviceName });
}

/** `k1=v1,k2=v2` (values may be percent-encoded, as the OpenTelemetry specification allows) as attributes. */
export function resourceAttributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const equals = pair.indexOf('=');
    const key = equals > 0 ? pair.slice(0, equals).trim() : '';
    if (key === '') throw new Error(`OTEL_RESOURCE_ATTRIBUTES has '${pair}'; expected key=value pairs separated by commas`);
    attributes[key] = percentDecoded(pair.slice(equals + 1).trim());
  }
  return attributes;
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function exportIntervalOf(env: NodeJS.ProcessEnv): number {
  const text = env.OTEL_METRIC_EXPORT_INTERVAL?.trim();
  if (!text) return DEFAULT_METRIC_EXPORT_INTERVAL_MS;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`OTEL_METRIC_EXPORT_INTERVAL is '${text}'; expected a positive whole number of milliseconds`);
  }
  return value;
}
