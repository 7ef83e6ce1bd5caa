import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { collectorConfig, requestMetrics } from '../../../constructs/observability/otel-collector';
import { REQUEST_ATTRIBUTES, REQUEST_DURATION_METRIC, statusClassOf } from '../../../constructs/model/telemetry';
import { newStack } from '../helpers';

describe('collectorConfig', () => {
  const config = (detectors?: string[]) =>
    JSON.parse(collectorConfig({ metricsNamespace: 'shop', metricsLogGroupName: '/metrics', metricsLogStreamName: 'otel-{TaskId}', resourceDetectors: detectors }));

  test('takes OTLP on loopback only and sends traces to X-Ray and the request metrics as EMF', () => {
    const c = config();
    expect(c.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } });
    // What the image's /healthcheck asks, also on loopback.
    expect(c.extensions.health_check).toEqual({ endpoint: '127.0.0.1:13133' });
    expect(c.service.extensions).toEqual(['health_check']);
    expect(c.service.pipelines).toEqual({
      traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['awsxray'] },
      metrics: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['awsemf'] },
    });
    // A share of the container's memory limit (the collector reads it from the cgroup), checked every second.
    expect(c.processors.memory_limiter).toEqual({ check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 });
    expect(c.exporters.awsemf).toMatchObject({ namespace: 'shop', log_group_name: '/metrics', log_stream_name: 'otel-{TaskId}', dimension_rollup_option: 'NoDimensionRollup' });
  });

  test('declares the request histogram by service, and by service and status class, and selects nothing else', () => {
    const [declaration, ...others] = config().exporters.awsemf.metric_declarations;
    expect(others).toEqual([]);
    expect(declaration.dimensions).toEqual([['service.name'], ['service.name', REQUEST_ATTRIBUTES.statusClass]]);
    const selects = (name: string) => declaration.metric_name_selectors.some((re: string) => new RegExp(re).test(name));
    expect(selects(REQUEST_DURATION_METRIC)).toBe(true);
    expect(selects('http.server.request.duration.extra')).toBe(false);
    expect(selects('httpXserverXrequestXduration')).toBe(false);
  });

  test('runs the resource detectors asked for before batching, in both pipelines', () => {
    const c = config(['env', 'ecs']);
    expect(c.processors.resourcedetection.detectors).toEqual(['env', 'ecs']);
    expect(c.service.pipelines.traces.processors).toEqual(['memory_limiter', 'resourcedetection', 'batch']);
    expect(c.service.pipelines.metrics.processors).toEqual(['memory_limiter', 'resourcedetection', 'batch']);
  });
});

describe('requestMetrics', () => {
  const render = (metric: cloudwatch.IMetric) => {
    const stack: Stack = newStack();
    new cloudwatch.Alarm(stack, 'Alarm', { metric, threshold: 1, evaluationPeriods: 1 });
    return stack.resolve((stack.node.findChild('Alarm').node.defaultChild as cloudwatch.CfnAlarm).metrics) as { id: string; expression?: string; metricStat?: { metric: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] }; stat: string } }[];
  };
  const m = requestMetrics('shop', 'shop-dev-pricing', Duration.minutes(1));

  test('the error rate divides the 5xx count by all requests of the service, and is 0 without requests', () => {
    const parts = render(m.errorRatePercent);
    expect(parts.find((p) => p.expression)!.expression).toBe('IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)');
    const stat = (id: string) => parts.find((p) => p.id === id)!.metricStat!;
    expect(stat('requests')).toMatchObject({ stat: 'SampleCount', metric: { namespace: 'shop', metricName: REQUEST_DURATION_METRIC, dimensions: [{ name: 'service.name', value: 'shop-dev-pricing' }] } });
    expect(stat('errors').metric.dimensions).toEqual(expect.arrayContaining([
      { name: 'service.name', value: 'shop-dev-pricing' },
      { name: REQUEST_ATTRIBUTES.statusClass, value: '5xx' },
    ]));
    expect(stat('errors').metric.dimensions).toHaveLength(2);
  });

  test('p99 latency is the histogram p99 of the service in milliseconds', () => {
    const parts = render(m.latencyP99Millis);
    expect(parts.find((p) => p.expression)!.expression).toBe('p99 * 1000');
    expect(parts.find((p) => p.id === 'p99')!.metricStat).toMatchObject({ stat: 'p99', metric: { metricName: REQUEST_DURATION_METRIC } });
  });
});

test.each([
  [200, '2xx'], [204, '2xx'], [302, '3xx'], [400, '4xx'], [404, '4xx'], [500, '5xx'], [503, '5xx'], [599, '5xx'],
])('status %d is in class %s', (code, expected) => {
  expect(statusClassOf(code)).toBe(expected);
});
