import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmWithAnnotation, DefaultDashboardFactory, MetricWithAlarmSupport, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { MonitoringSpec, ServiceSpec, parseRoute } from '../model/service-spec';

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

/** Props of a ServiceMonitoring. */
export interface ServiceMonitoringProps {
  /** The service's spec: its name, routes and alarm thresholds. */
  readonly spec: ServiceSpec;
  /** Prefix of dashboard and alarm names, e.g. `shop-dev`. */
  readonly namePrefix: string;
  /** Where every alarm sends its state changes. */
  readonly alertTopic: sns.ITopic;
  /** The function, for a Lambda service. Give this or `container`. */
  readonly function?: lambda.Function;
  /** The ECS service and its load balancer, for a container service. Give this or `function`. */
  readonly container?: MonitoredContainerService;
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
  /** Requests per minute (invocations, or load balancer requests). */
  public readonly requestMetric: cloudwatch.Metric;
  /** Failed requests, in percent of all. */
  public readonly errorRateMetric: cloudwatch.MathExpression;
  /** p99 latency in milliseconds. */
  public readonly latencyP99Metric: MetricWithAlarmSupport;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const spec = props.spec;
    if ((props.function === undefined) === (props.container === undefined)) {
      throw ConstructPropError.of(this, 'function', `and 'container' are ${props.function ? 'both' : 'neither'} given for service '${spec.name}'; give exactly one`);
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
      this.requestMetric = invocations;
      this.errorRateMetric = rate(errors, invocations, 'Function errors (%)');
      this.latencyP99Metric = fn.metricDuration({ period: PERIOD, statistic: 'p99' });
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
        metricGroups: [{ title: 'Function error rate (%)', metrics: [{ metric: this.errorRateMetric, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] }],
      });
    } else {
      const { service, loadBalancer, targetGroup } = props.container!;
      const requests = targetGroup.metrics.requestCount({ period: PERIOD, statistic: 'Sum' });
      const errors = targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: PERIOD, statistic: 'Sum' });
      this.requestMetric = requests;
      this.errorRateMetric = rate(errors, requests, 'Target 5xx (%)');
      const p99Seconds = targetGroup.metrics.targetResponseTime({ period: PERIOD, statistic: 'p99' });
      this.latencyP99Metric = new cloudwatch.MathExpression({ expression: 'latencyP99 * 1000', usingMetrics: { latencyP99: p99Seconds }, period: PERIOD, label: 'p99 response time (ms)' });
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
          { title: 'Target 5xx (%)', metrics: [{ metric: this.errorRateMetric, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] },
          {
            title: 'Response time (ms)',
            metrics: [
              new cloudwatch.MathExpression({ expression: 'latencyP50 * 1000', usingMetrics: { latencyP50: targetGroup.metrics.targetResponseTime({ period: PERIOD, statistic: 'p50' }) }, period: PERIOD, label: 'p50 response time (ms)' }),
              {
                metric: this.latencyP99Metric,
                alarmFriendlyName: 'LatencyP99',
                addAlarm: { Critical: { threshold: t.latencyP99Millis, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `p99 response time of ${spec.name} above ${t.latencyP99Millis} ms.` } },
              },
            ],
          },
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
