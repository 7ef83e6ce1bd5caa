/**
 * OpenTelemetry tracing for a container process, exported to the ADOT collector beside it (which
 * sends the spans to X-Ray). Trace ids are X-Ray ids and the `x-amzn-trace-id` header is the
 * propagation format, so a request traced by the gateway or the load balancer continues here, and
 * the calls this process makes continue from its own span.
 *
 * Settings come from the environment the infrastructure sets: `OTEL_EXPORTER_OTLP_ENDPOINT` (the
 * collector; without it tracing stays off), `OTEL_SERVICE_NAME` (the name in the X-Ray service
 * map), and `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` (the sampling of the profile; the
 * SDK reads them itself). The server's spans come from `ContainerHttpServer`, through the
 * OpenTelemetry API, which does nothing until `startTracing` registers a provider.
 */
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Tracing that was started; flush it before the process exits. */
export interface RunningTracing {
  /** Exports the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

/** Starts tracing when the environment names a collector; returns `undefined` (tracing off) otherwise. */
export function startTracing(environment: NodeJS.ProcessEnv = process.env): RunningTracing | undefined {
  const endpoint = environment.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  const provider = new NodeTracerProvider({
    idGenerator: new AWSXRayIdGenerator(),
    resource: new Resource({ 'service.name': environment.OTEL_SERVICE_NAME ?? environment.POWERTOOLS_SERVICE_NAME ?? 'unknown-service' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }), { scheduledDelayMillis: 1000 })],
  });
  provider.register({ propagator: new AWSXRayPropagator() });
  return { shutdown: () => provider.shutdown() };
}
