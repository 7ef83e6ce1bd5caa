import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { REQUEST_ATTRIBUTES, REQUEST_DURATION_METRIC, SERVICE_NAME_ATTRIBUTE } from '../model/telemetry';

/** The AWS Distro for OpenTelemetry collector run beside every container service (ECS task or pod). */
export const DEFAULT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';

/** UID the collector image runs as. */
export const COLLECTOR_USER = 10001;

/** Where the collector takes OTLP over HTTP, on the loopback of the task or pod only. */
export const COLLECTOR_OTLP_HTTP_ENDPOINT = 'http://127.0.0.1:4318';

/** Options of {@link collectorConfig}. */
export interface CollectorConfigOptions {
  /** CloudWatch namespace of the metrics (the platform name). */
  readonly metricsNamespace: string;
  /** Log group the EMF records go to; it must exist, the collector only writes streams in it. */
  readonly metricsLogGroupName: string;
  /** Stream name; may hold awsemf placeholders (`{TaskId}`) or `${env:NAME}` references. */
  readonly metricsLogStreamName: string;
  /**
   * Resource detectors run on every span and metric (e.g. `ecs`), so placeholders resolve and
   * traces carry where they ran.
   * @default - none
   */
  readonly resourceDetectors?: readonly string[];
}

/**
 * The collector's config (`AOT_CONFIG_CONTENT`): OTLP in, on loopback only, held within the container's
 * memory limit; traces to X-Ray; the
 * request metrics to CloudWatch as EMF, by service and by service and status class. Every other
 * metric the code sends is dropped rather than turned into dimensions nobody asked for.
 */
export function collectorConfig(options: CollectorConfigOptions): string {
  const detect = (options.resourceDetectors ?? []).length > 0;
  // The memory limiter goes first: under a burst it refuses data (the SDK retries) before the
  // container's memory limit is reached, instead of the collector being killed.
  const processors = ['memory_limiter', ...(detect ? ['resourcedetection'] : []), 'batch'];
  return JSON.stringify({
    // The image's /healthcheck binary asks 127.0.0.1:13133; bound there explicitly, on loopback only.
    extensions: { health_check: { endpoint: '127.0.0.1:13133' } },
    receivers: { otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } } } },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      batch: { timeout: '5s' },
      ...(detect ? { resourcedetection: { detectors: options.resourceDetectors, timeout: '2s', override: false } } : {}),
    },
    exporters: {
      awsxray: { indexed_attributes: ['correlation_id'] },
      awsemf: {
        namespace: options.metricsNamespace,
        log_group_name: options.metricsLogGroupName,
        log_stream_name: options.metricsLogStreamName,
        resource_to_telemetry_conversion: { enabled: true },
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: [{
          dimensions: [[SERVICE_NAME_ATTRIBUTE], [SERVICE_NAME_ATTRIBUTE, REQUEST_ATTRIBUTES.statusClass]],
          metric_name_selectors: [`^${REQUEST_DURATION_METRIC.replace(/\./g, '\\.')}$`],
        }],
      },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors, exporters: ['awsxray'] },
        metrics: { receivers: ['otlp'], processors, exporters: ['awsemf'] },
      },
    },
  });
}

/**
 * Lets the collector that runs with `role` send traces to X-Ray and write EMF streams into
 * `metricsLogGroup` (and nowhere else). X-Ray's actions have no resource-level permissions, so
 * they take Resource `*`; the caller acknowledges that with its other unscoped actions.
 */
export function grantCollector(role: iam.Role, metricsLogGroup: logs.LogGroup): void {
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'CollectorTraces',
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resources: ['*'],
  }));
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'CollectorMetrics',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [metricsLogGroup.logGroupArn, `${metricsLogGroup.logGroupArn}:log-stream:*`],
  }));
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(metricsLogGroup).getLogicalId(metricsLogGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>:log-stream:*]`,
    reason: 'The collector writes metrics (EMF) to a log stream of its own per task or pod, named when it starts; the grant is held to the streams of the service\'s own metrics log group.',
  });
}

/** A service's request metrics in CloudWatch, as the collector writes them. */
export interface RequestMetrics {
  /** Requests answered per period. */
  readonly requests: cloudwatch.Metric;
  /** Requests answered with a 5xx per period. */
  readonly serverErrors: cloudwatch.Metric;
  /** 5xx share of the requests, in percent (0 when there were none). */
  readonly errorRatePercent: cloudwatch.MathExpression;
  readonly latencyP50Millis: cloudwatch.MathExpression;
  readonly latencyP99Millis: cloudwatch.MathExpression;
}

/** The request metrics of the service that reports as `serviceName` (its `OTEL_SERVICE_NAME`) into `namespace`. */
export function requestMetrics(namespace: string, serviceName: string, period: Duration): RequestMetrics {
  const duration = (statistic: string, dimensionsMap: Record<string, string>, label: string) =>
    new cloudwatch.Metric({ namespace, metricName: REQUEST_DURATION_METRIC, dimensionsMap, statistic, period, label });
  const byService = { [SERVICE_NAME_ATTRIBUTE]: serviceName };
  const requests = duration('SampleCount', byService, 'Requests');
  const serverErrors = duration('SampleCount', { ...byService, [REQUEST_ATTRIBUTES.statusClass]: '5xx' }, 'Requests answered 5xx');
  const millis = (statistic: string) =>
    // Ids are unique per statistic, as a graph may show both.
    new cloudwatch.MathExpression({ expression: `${statistic} * 1000`, usingMetrics: { [statistic]: duration(statistic, byService, `${statistic} (s)`) }, period, label: `${statistic} response time (ms)` });
  return {
    requests,
    serverErrors,
    // No requests means no failures: the rate is 0, not missing data.
    errorRatePercent: new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period,
      label: '5xx (%)',
    }),
    latencyP50Millis: millis('p50'),
    latencyP99Millis: millis('p99'),
  };
}
