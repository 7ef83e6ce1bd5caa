/**
 * Container telemetry against a loopback stand-in for the ADOT collector's OTLP/HTTP receiver:
 * requests served by a real `ContainerHttpServer` arrive as spans (continuing the caller's X-Ray
 * trace) and as data points of the request-duration histogram, exported as deltas in an exponential
 * histogram, with the route template and status class the alarms group by; health checks make
 * neither, and nothing is exported without a collector.
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { callContextOf, downstreamHeaders, runWithCallContext } from '../../runtime/call-context';
import type { ContainerHttpServer } from '../../runtime/container/http-server';
import { REQUEST_DURATION_METRIC } from '../../runtime/container/request-metrics';
import { RunningTelemetry, resourceAttributesOf, startTelemetry } from '../../runtime/container/telemetry';
import { notFound, ok, serverError } from '../../runtime/http-response';
import { routeRequests } from '../../runtime/http-router';
import { serveOnLoopback } from '../support/container-server';
import { OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver';

const ROOT = '1-67891233-abcdef012345678912345678';
const PARENT = '53995c3f42cd8ad8';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('container telemetry with a collector', () => {
  let receiver: OtlpReceiver;
  let telemetry: RunningTelemetry | undefined;
  let server: ContainerHttpServer;
  let base: string;
  const seen: { event: APIGatewayProxyEvent; outgoing: Record<string, string> }[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    telemetry = startTelemetry({
      OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.endpoint}/`,
      OTEL_SERVICE_NAME: 'shop-test-catalog',
      OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=shop,deployment.environment=test',
      OTEL_METRIC_EXPORT_INTERVAL: '200',
    });
    const route = routeRequests<undefined>({
      'GET /products/{id}': async (event) => {
        const outgoing = runWithCallContext(callContextOf(event, {}), () => downstreamHeaders());
        seen.push({ event, outgoing });
        const id = event.pathParameters?.id;
        if (id === 'missing') return notFound('no such product');
        if (id === 'broken') return serverError();
        if (id === 'explode') throw new Error('the handler failed');
        return ok({ id });
      },
    });
    ({ server, base } = await serveOnLoopback(['GET /products/{id}'], (event) => route(event, undefined), quiet));

    await fetch(`${base}/health`);
    const traced = await fetch(`${base}/products/kettle`, { headers: { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1`, 'x-correlation-id': 'checkout-7f3a' } });
    expect(traced.status).toBe(200);
    const statuses = [];
    for (const [method, path] of [
      ['GET', '/products/grinder'],
      ['GET', '/products/missing'],
      ['POST', '/products/grinder'],
      ['GET', '/nothing/here/42'],
      ['GET', '/products/broken'],
      ['GET', '/products/explode'],
      ['GET', '/health'],
    ]) {
      statuses.push((await fetch(`${base}${path}`, { method })).status);
    }
    expect(statuses).toEqual([200, 404, 405, 404, 500, 500, 200]);
    // Let one periodic export happen before the final one, so deltas are proven to add up across exports.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await server.shutdown();
    await telemetry!.shutdown();
  });
  afterAll(() => receiver.stop());

  test('exports a server span in the caller\'s trace, and the handler calls on from that span', () => {
    const spans = receiver.spans();
    // One span per request, none for the health checks.
    expect(spans).toHaveLength(7);
    const span = spans.find((s) => s.traceId === ROOT.slice(2).replace('-', ''))!;
    expect(span).toMatchObject({ name: 'GET /products/{id}', kind: 2, parentSpanId: PARENT });
    expect(span.resource).toMatchObject({ 'service.name': 'shop-test-catalog', 'deployment.environment': 'test' });
    expect(span.attributes).toEqual(expect.arrayContaining([{ key: 'http.response.status_code', value: { intValue: 200 } }, { key: 'http.route', value: { stringValue: '/products/{id}' } }]));
    // An unmatched path is named by its method only, never by the raw path.
    expect(spans.map((s) => s.name).sort()).toEqual(['GET', ...Array(5).fill('GET /products/{id}'), 'POST /products/{id}'].sort());

    const { outgoing } = seen.find((s) => s.event.path === '/products/kettle')!;
    expect(outgoing).toEqual({ 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': `Root=${ROOT};Parent=${span.spanId};Sampled=1` });
  });

  test('exports the request duration as a delta exponential histogram, in seconds, with the service\'s resource', () => {
    const points = receiver.dataPoints().filter((p) => p.metric === REQUEST_DURATION_METRIC);
    expect(points.length).toBeGreaterThan(0);
    for (const point of points) {
      expect(point).toMatchObject({ kind: 'exponentialHistogram', aggregationTemporality: 1, unit: 's' });
      expect(point.resource).toMatchObject({ 'service.name': 'shop-test-catalog', 'service.namespace': 'shop', 'deployment.environment': 'test' });
      expect(point.sum).toBeGreaterThan(0);
      expect(point.sum! / point.count!).toBeLessThan(5);
    }
    expect(receiver.paths()).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
  });

  test('counts every request but the health check, by route, method, status and status class', () => {
    const counts: Record<string, number> = {};
    for (const point of receiver.dataPoints().filter((p) => p.metric === REQUEST_DURATION_METRIC)) {
      expect(Object.keys(point.attributes).sort()).toEqual(['http.request.method', 'http.response.status_class', 'http.response.status_code', 'http.route']);
      const a = point.attributes;
      const key = `${a['http.request.method']} ${a['http.route']} ${a['http.response.status_code']} ${a['http.response.status_class']}`;
      counts[key] = (counts[key] ?? 0) + point.count!;
    }
    expect(counts).toEqual({
      'GET /products/{id} 200 2xx': 2,
      'GET /products/{id} 404 4xx': 1,
      'POST /products/{id} 405 4xx': 1,
      'GET unmatched 404 4xx': 1,
      // One answered by the handler, one thrown out of it and answered by the server.
      'GET /products/{id} 500 5xx': 2,
    });
  });
});

describe('container telemetry without a collector', () => {
  test('stays off: nothing is registered, so spans and metrics are no-ops', () => {
    expect(startTelemetry({ OTEL_SERVICE_NAME: 'shop-test-catalog', OTEL_METRIC_EXPORT_INTERVAL: '200' })).toBeUndefined();
    expect(metrics.getMeterProvider()).not.toBeInstanceOf(MeterProvider);
  });
});

describe('telemetry settings', () => {
  test('reads OTEL_RESOURCE_ATTRIBUTES as comma-separated, percent-encoded key=value pairs', () => {
    expect(resourceAttributesOf(' service.namespace=shop , deployment.environment=dev,team=a%2Cb ')).toEqual({ 'service.namespace': 'shop', 'deployment.environment': 'dev', team: 'a,b' });
    expect(resourceAttributesOf('')).toEqual({});
  });

  test.each([
    [{ OTEL_METRIC_EXPORT_INTERVAL: 'soon' }, /OTEL_METRIC_EXPORT_INTERVAL is 'soon'/],
    [{ OTEL_METRIC_EXPORT_INTERVAL: '0' }, /OTEL_METRIC_EXPORT_INTERVAL is '0'/],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment' }, /OTEL_RESOURCE_ATTRIBUTES has 'deployment.environment'/],
  ])('refuses malformed settings, naming the variable: %p', (settings, message) => {
    expect(() => startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', ...settings })).toThrow(message);
  });
});
