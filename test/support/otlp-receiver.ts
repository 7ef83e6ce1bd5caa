/**
 * A loopback stand-in for the OTLP/HTTP receiver of the ADOT collector: it keeps every JSON export
 * posted to `/v1/traces` and `/v1/metrics` and reads back the spans and metric data points in them.
 */
import { type LoopbackServer, replyJson, startLoopbackServer } from './loopback-server';

/** An OTLP attribute as the JSON encoding writes it. */
export interface OtlpAttribute {
  readonly key: string;
  readonly value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

export interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: OtlpAttribute[];
}

/** One data point of a metric, with its metric's shape and its resource's attributes. */
export interface ExportedDataPoint {
  readonly metric: string;
  readonly unit?: string;
  /** `exponentialHistogram`, `histogram`, `sum` or `gauge`. */
  readonly kind: string;
  /** 1 delta, 2 cumulative. */
  readonly aggregationTemporality?: number;
  readonly resource: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
  readonly count?: number;
  readonly sum?: number;
}

interface ExportedResource {
  resource: { attributes: OtlpAttribute[] };
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`, the value of `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly endpoint: string;
  /** The path of every export received, in order. */
  paths(): string[];
  /** The spans received, each with its resource's attributes. */
  spans(): (ExportedSpan & { resource: Record<string, unknown> })[];
  /** The metric data points received. */
  dataPoints(): ExportedDataPoint[];
  stop(): Promise<void>;
}

/** An attribute list as a plain object; integers as numbers. */
export function attributesOf(attributes: readonly OtlpAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => [key, value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue))]),
  );
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server: LoopbackServer = await startLoopbackServer((request, body, response) => {
    received.push({ path: request.url ?? '', body: JSON.parse(body.toString('utf8')) as Record<string, unknown> });
    replyJson(response, 200, {});
  });
  const bodies = (path: string) => received.filter((r) => r.path === path).map((r) => r.body);
  return {
    endpoint: server.endpoint,
    paths: () => received.map((r) => r.path),
    spans: () =>
      bodies('/v1/traces').flatMap((body) =>
        (body.resourceSpans as (ExportedResource & { scopeSpans: { spans: ExportedSpan[] }[] })[]).flatMap((r) =>
          r.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ ...span, resource: attributesOf(r.resource.attributes) }))),
        ),
      ),
    dataPoints: () =>
      bodies('/v1/metrics').flatMap((body) =>
        (body.resourceMetrics as (ExportedResource & { scopeMetrics: { metrics: Record<string, unknown>[] }[] })[]).flatMap((r) =>
          r.scopeMetrics.flatMap((scope) => scope.metrics.flatMap((metric) => pointsOf(metric, attributesOf(r.resource.attributes)))),
        ),
      ),
    stop: () => server.stop(),
  };
}

function pointsOf(metric: Record<string, unknown>, resource: Record<string, unknown>): ExportedDataPoint[] {
  const kind = ['exponentialHistogram', 'histogram', 'sum', 'gauge'].find((k) => k in metric) ?? 'unknown';
  const data = metric[kind] as { dataPoints: { attributes: OtlpAttribute[]; count?: string | number; sum?: number }[]; aggregationTemporality?: number };
  return data.dataPoints.map((point) => ({
    metric: metric.name as string,
    unit: metric.unit as string | undefined,
    kind,
    aggregationTemporality: data.aggregationTemporality,
    resource,
    attributes: attributesOf(point.attributes),
    count: point.count === undefined ? undefined : Number(point.count),
    sum: point.sum,
  }));
}
