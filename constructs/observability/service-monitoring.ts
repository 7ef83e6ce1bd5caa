import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmWithAnnotation, DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { MonitoringSpec, ServiceSpec, parseRoute } from '../model/service-spec';
import { requestMetrics } from './otel-collector';

/** The edge stage whose per-route metrics count a service's requests as the client sees them. */
export interface MonitoredGateway {
  /** Name of the REST API (its `ApiName` dimension). */
  readonly apiName: string;
  /** Stage name. */
  readonly stageName: string;
}

/** A container service behind its internal load balancer. */
export interface MonitoredContainerService {
  /** The ECS service (CPU and memory use, running tasks). */
  readonly service: ecs.FargateService;
  /** Its load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The tasks' target group (requests, 5xx, response time). */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
}

/**
 * A kubernetes service: its pods through Container Insights (the cluster's CloudWatch Observability
 * add-on), its requests through the metrics the collector in each pod writes.
 */
export interface MonitoredKubernetesService {
  /** Name of the EKS cluster. */
  readonly clusterName: string;
  /** Namespace of the service's pods. */
  readonly namespace: string;
  /** The name the service reports its request metrics under (`service.name`). */
  readonly telemetryServiceName: string;
  /** CloudWatch namespace of its request metrics. */
  readonly metricsNamespace: string;
}

/** A metric shown for the service on the platform overview. */
export interface SummaryMetric {
  readonly title: string;
  readonly metric: cloudwatch.IMetric;
}

/** Props of a ServiceMonitoring. */
export interface ServiceMonitoringProps {
  /** The service's spec: its name, routes and alarm thresholds. */
  readonly spec: ServiceSpec;
  /** Prefix of dashboard and alarm names, e.g. `shop-dev`. */
  readonly namePrefix: string;
  /** Where every alarm sends its state changes. */
  readonly alertTopic: sns.ITopic;
  /** The function, for a Lambda service. Give exactly one of `function`, `container` and `kubernetes`. */
  readonly function?: lambda.Function;
  /** The ECS service and its load balancer, for a Fargate service. */
  readonly container?: MonitoredContainerService;
  /** The cluster and namespace, for a kubernetes service (pod CPU, memory and count from Container Insights). */
  readonly kubernetes?: MonitoredKubernetesService;
  /**
   * Queues holding messages the service failed to handle; each gets a depth alarm.
   * @default - none
   */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
  /**
   * The edge stage, when the service has routes: adds its 5xx rate at the gateway.
   * @default - no gateway alarm
   */
  readonly gateway?: MonitoredGateway;
}

/** The thresholds, defaults applied. */
export type MonitoringThresholds = Required<MonitoringSpec>;

const DEFAULT_ERROR_RATE_PERCENT = 1;
const DEFAULT_CONTAINER_LATENCY_MILLIS = 1000;
const DEFAULT_DEAD_LETTER_MESSAGES = 1;
const DEFAULT_SATURATION_PERCENT = 90;
/** An alarm fires when 3 of the last 5 one-minute periods breach. */
const PERIOD = Duration.minutes(1);
const EVALUATION_PERIODS = 5;
const DATAPOINTS_TO_ALARM = 3;

/**
 * Dashboard and alarms of one service, with cdk-monitoring-constructs: requests, errors, p50/p99
 * latency, throttles and saturation on a dashboard of its own; alarms on the error rate, p99
 * latency, throttles (Lambda) or CPU and memory saturation (containers), the depth of each of its
 * dead-letter queues, and its 5xx rate at the gateway. Every alarm notifies the alert topic.
 * Thresholds come from the spec's `monitoring` block, with defaults.
 */
export class ServiceMonitoring extends Construct {
  /** The facade that made the dashboard and alarms. */
  public readonly facade: MonitoringFacade;
  /** The service's name (from its spec). */
  public readonly serviceName: string;
  /** The thresholds applied. */
  public readonly thresholds: MonitoringThresholds;
  /** The service at a glance, for the platform overview: requests, error rate and p99 latency, or pod use. */
  public readonly summaryMetrics: readonly SummaryMetric[];

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const spec = props.spec;
    const given = [props.function, props.container, props.kubernetes].filter((target) => target !== undefined).length;
    if (given !== 1) {
      throw ConstructPropError.of(this, 'function', `is one of 'function', 'container' and 'kubernetes', of which exactly one must be given for service '${spec.name}'; ${given} are given`);
    }
    this.serviceName = spec.name;
    this.thresholds = thresholdsOf(this, spec, props.function);
    const t = this.thresholds;
    const name = `${props.namePrefix}-${spec.name}`;

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: name,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.alertTopic, onOkTopic: props.alertTopic }),
        evaluationPeriods: EVALUATION_PERIODS,
        datapointsToAlarm: DATAPOINTS_TO_ALARM,
      },
      metricFactoryDefaults: { period: PERIOD },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: name,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    this.facade.addLargeHeader(`${spec.name} (${spec.runtime})${spec.description ? `: ${spec.description}` : ''}`);

    const errorRateAlarm = { Critical: { threshold: t.errorRatePercent, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `More than ${t.errorRatePercent}% of the requests of ${spec.name} failed.` } };
    if (props.function) {
      const fn = props.function;
      const invocations = fn.metricInvocations({ period: PERIOD, statistic: 'Sum' });
      const errors = fn.metricErrors({ period: PERIOD, statistic: 'Sum' });
      const errorRate = rate(errors, invocations, 'Function errors (%)');
      this.summaryMetrics = summary(invocations, errorRate, fn.metricDuration({ period: PERIOD, statistic: 'p99' }));
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        alarmFriendlyName: 'function',
        humanReadableName: `${spec.name} function`,
        addLatencyP99Alarm: { Critical: { maxLatency: Duration.millis(t.latencyP99Millis) } },
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0 } },
      });
      this.facade.monitorCustom({
        alarmFriendlyName: 'function-errors',
        humanReadableName: `${spec.name} error rate`,
        metricGroups: [{ title: 'Function error rate (%)', metrics: [{ metric: errorRate, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] }],
      });
    } else if (props.container) {
      const { service, loadBalancer, targetGroup } = props.container;
      // Measured at the load balancer, which serves this service alone: under blue/green the
      // production target group changes at every deployment, so a target group's metrics go quiet.
      const requests = loadBalancer.metrics.requestCount({ period: PERIOD, statistic: 'Sum' });
      const errors = loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: PERIOD, statistic: 'Sum' });
      const errorRate = rate(errors, requests, 'Target 5xx (%)');
      const p99Seconds = loadBalancer.metrics.targetResponseTime({ period: PERIOD, statistic: 'p99' });
      const latencyP99 = new cloudwatch.MathExpression({ expression: 'latencyP99 * 1000', usingMetrics: { latencyP99: p99Seconds }, period: PERIOD, label: 'p99 response time (ms)' });
      this.summaryMetrics = summary(requests, errorRate, latencyP99);
      this.facade.monitorFargateApplicationLoadBalancer({
        fargateService: service,
        applicationLoadBalancer: loadBalancer,
        applicationTargetGroup: targetGroup,
        alarmFriendlyName: 'tasks',
        humanReadableName: `${spec.name} tasks`,
        addCpuUsageAlarm: { Critical: { maxUsagePercent: t.saturationPercent } },
        addMemoryUsageAlarm: { Critical: { maxUsagePercent: t.saturationPercent } },
      });
      this.facade.monitorCustom({
        alarmFriendlyName: 'http',
        humanReadableName: `${spec.name} requests at its load balancer`,
        metricGroups: [
          { title: 'Requests per minute', metrics: [requests] },
          { title: 'Target 5xx (%)', metrics: [{ metric: errorRate, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] },
          {
            title: 'Response time (ms)',
            metrics: [
              new cloudwatch.MathExpression({ expression: 'latencyP50 * 1000', usingMetrics: { latencyP50: loadBalancer.metrics.targetResponseTime({ period: PERIOD, statistic: 'p50' }) }, period: PERIOD, label: 'p50 response time (ms)' }),
              {
                metric: latencyP99,
                alarmFriendlyName: 'LatencyP99',
                addAlarm: { Critical: { threshold: t.latencyP99Millis, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `p99 response time of ${spec.name} above ${t.latencyP99Millis} ms.` } },
              },
            ],
          },
        ],
      });
    } else {
      const { clusterName, namespace, telemetryServiceName, metricsNamespace } = props.kubernetes!;
      const podMetric = (metricName: string, label: string) =>
        new cloudwatch.Metric({ namespace: 'ContainerInsights', metricName, dimensionsMap: { ClusterName: clusterName, Namespace: namespace, Service: spec.name }, period: PERIOD, statistic: 'Average', label });
      const cpu = podMetric('pod_cpu_utilization', 'Pod CPU (% of node)');
      const memory = podMetric('pod_memory_utilization', 'Pod memory (% of node)');
      const pods = podMetric('service_number_of_running_pods', 'Running pods');
      const minPods = Math.max(1, spec.scaling?.min ?? 1);
      const saturation = (what: string) => ({ Critical: { threshold: t.saturationPercent, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `${what} of the pods of ${spec.name} above ${t.saturationPercent}%.` } });
      // Requests as the service's own server counts them, sent by the collector in each pod.
      const http = requestMetrics(metricsNamespace, telemetryServiceName, PERIOD);
      this.summaryMetrics = [...summary(http.requests, http.errorRatePercent, http.latencyP99Millis), { title: 'running pods', metric: pods }];
      this.facade.monitorCustom({
        alarmFriendlyName: 'http',
        humanReadableName: `${spec.name} requests (reported by its pods)`,
        metricGroups: [
          { title: 'Requests per minute', metrics: [http.requests, http.serverErrors] },
          { title: 'Server errors (%)', metrics: [{ metric: http.errorRatePercent, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] },
          {
            title: 'Response time (ms)',
            metrics: [
              http.latencyP50Millis,
              {
                metric: http.latencyP99Millis,
                alarmFriendlyName: 'LatencyP99',
                addAlarm: { Critical: { threshold: t.latencyP99Millis, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `p99 response time of ${spec.name} above ${t.latencyP99Millis} ms.` } },
              },
            ],
          },
        ],
      });
      this.facade.monitorCustom({
        alarmFriendlyName: 'pods',
        humanReadableName: `${spec.name} pods (Container Insights)`,
        metricGroups: [
          { title: 'Running pods', metrics: [{ metric: pods, alarmFriendlyName: 'RunningPods', addAlarm: { Critical: { threshold: minPods, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, additionalDescription: `Fewer than ${minPods} pods of ${spec.name} are running.` } } }] },
          { title: 'Pod CPU (%)', metrics: [{ metric: cpu, alarmFriendlyName: 'CpuSaturation', addAlarm: saturation('CPU') }] },
          { title: 'Pod memory (%)', metrics: [{ metric: memory, alarmFriendlyName: 'MemorySaturation', addAlarm: saturation('Memory') }] },
        ],
      });
    }

    (props.deadLetterQueues ?? []).forEach((queue, index) => {
      this.facade.monitorSqsQueue({
        queue,
        alarmFriendlyName: `dead-letters${index}`,
        humanReadableName: `${spec.name} dead letters (${index})`,
        addQueueMaxSizeAlarm: { Critical: { maxMessageCount: t.deadLetterMessages - 1 } },
      });
    });

    const routes = (spec.routes ?? []).map((r) => parseRoute(r.route)).filter((r) => typeof r !== 'string');
    if (props.gateway && routes.length > 0) {
      const gateway = props.gateway;
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      routes.forEach((route, index) => {
        const dimensionsMap = { ApiName: gateway.apiName, Stage: gateway.stageName, Resource: route.path, Method: route.method };
        usingMetrics[`c${index}`] = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: 'Count', dimensionsMap, period: PERIOD, statistic: 'Sum' });
        usingMetrics[`f${index}`] = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensionsMap, period: PERIOD, statistic: 'Sum' });
      });
      const sum = (prefix: string) => routes.map((_route, index) => `FILL(${prefix}${index}, 0)`).join(' + ');
      const gatewayFaultRate = new cloudwatch.MathExpression({
        expression: `100 * (${sum('f')}) / (${sum('c')})`,
        usingMetrics,
        period: PERIOD,
        label: 'Gateway 5xx (%)',
      });
      this.facade.monitorCustom({
        alarmFriendlyName: 'gateway',
        humanReadableName: `${spec.name} at the edge gateway`,
        metricGroups: [{
          title: 'Gateway 5xx on its routes (%)',
          metrics: [{
            metric: gatewayFaultRate,
            alarmFriendlyName: 'Gateway5xxRate',
            addAlarm: { Critical: { threshold: t.errorRatePercent, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `More than ${t.errorRatePercent}% of the calls to the routes of ${spec.name} ended in a 5xx at the gateway.` } },
          }],
        }],
      });
    }
  }

  /** Every alarm made for the service. */
  public get alarms(): AlarmWithAnnotation[] {
    return this.facade.createdAlarms();
  }

  /** The service's dashboard. */
  public get dashboard(): cloudwatch.Dashboard {
    return this.facade.createdDashboard()!;
  }
}

function summary(requests: cloudwatch.IMetric, errorRate: cloudwatch.IMetric, latencyP99: cloudwatch.IMetric): SummaryMetric[] {
  return [{ title: 'requests per minute', metric: requests }, { title: 'errors (%)', metric: errorRate }, { title: 'p99 latency (ms)', metric: latencyP99 }];
}

function rate(part: cloudwatch.IMetric, whole: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
  // No requests means no failures: the rate is 0, not missing data.
  return new cloudwatch.MathExpression({ expression: 'IF(whole > 0, 100 * part / whole, 0)', usingMetrics: { part, whole }, period: PERIOD, label });
}

function thresholdsOf(scope: Construct, spec: ServiceSpec, fn: lambda.Function | undefined): MonitoringThresholds {
  const given = spec.monitoring ?? {};
  const timeoutMillis = fn?.timeout?.toMilliseconds() ?? (spec.lambda?.timeoutSeconds ?? 10) * 1000;
  const thresholds: MonitoringThresholds = {
    errorRatePercent: given.errorRatePercent ?? DEFAULT_ERROR_RATE_PERCENT,
    latencyP99Millis: given.latencyP99Millis ?? (fn ? Math.round(timeoutMillis * 0.8) : DEFAULT_CONTAINER_LATENCY_MILLIS),
    deadLetterMessages: given.deadLetterMessages ?? DEFAULT_DEAD_LETTER_MESSAGES,
    saturationPercent: given.saturationPercent ?? DEFAULT_SATURATION_PERCENT,
  };
  const check = (field: keyof MonitoringSpec, ok: boolean, expected: string) => {
    if (!ok) throw ConstructPropError.of(scope, `spec.monitoring.${field}`, `of service '${spec.name}' is ${thresholds[field]}; expected ${expected}`);
  };
  check('errorRatePercent', thresholds.errorRatePercent > 0 && thresholds.errorRatePercent <= 100, 'a share above 0 and at most 100 percent');
  check('latencyP99Millis', Number.isFinite(thresholds.latencyP99Millis) && thresholds.latencyP99Millis > 0, 'a positive number of milliseconds');
  if (fn !== undefined) check('latencyP99Millis', thresholds.latencyP99Millis < timeoutMillis, `less than the function's timeout of ${timeoutMillis} ms`);
  check('deadLetterMessages', Number.isInteger(thresholds.deadLetterMessages) && thresholds.deadLetterMessages >= 1, 'a whole number of messages, at least 1');
  check('saturationPercent', thresholds.saturationPercent > 0 && thresholds.saturationPercent <= 100, 'a share above 0 and at most 100 percent');
  return thresholds;
}
