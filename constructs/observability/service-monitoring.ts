import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmWithAnnotation, DefaultDashboardFactory, type IDynamicDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { ServiceSpecBase, parseRoute } from '../model/service-spec';
import { fargateMonitoring, type MonitoredContainerService } from '../runtimes/fargate/fargate-monitoring';
import { kubernetesMonitoring, type MonitoredKubernetesService } from '../runtimes/kubernetes/kubernetes-monitoring';
import { lambdaMonitoring } from '../runtimes/lambda/lambda-monitoring';
import { checkMonitoring, monitoringThresholdsOf, type MonitoringThresholds } from '../model/monitoring-policy';
import type { MonitoringTarget, SummaryMetric } from './monitoring-target';

export type { MonitoredContainerService } from '../runtimes/fargate/fargate-monitoring';
export type { MonitoredKubernetesService } from '../runtimes/kubernetes/kubernetes-monitoring';
export type { SummaryMetric } from './monitoring-target';

/** The edge stage whose per-route metrics count a service's requests as the client sees them. */
export interface MonitoredGateway {
  /** Name of the REST API (its `ApiName` dimension). */
  readonly apiName: string;
  /** Stage name. */
  readonly stageName: string;
}

/** Props of a ServiceMonitoring. */
export interface ServiceMonitoringProps {
  /** The service's spec: its name, routes and alarm thresholds. */
  readonly spec: ServiceSpecBase;
  /** Prefix of dashboard and alarm names, e.g. `shop-dev`. */
  readonly namePrefix: string;
  /** Where every alarm sends its state changes. */
  readonly alertTopic: sns.ITopic;
  /**
   * What the dashboard and alarms watch, as the service's runtime measures it (a deployed service's
   * `monitoringTarget`). Give exactly one of `target`, `function`, `container` and `kubernetes`.
   */
  readonly target?: MonitoringTarget;
  /** The function, for a Lambda service (shorthand for its target). */
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
  /**
   * Give the service a dashboard of its own. A platform turns it off for services that share a
   * dashboard (their target's `sharedDashboard`); the alarms are made either way.
   * @default true
   */
  readonly dashboard?: boolean;
}

/** Takes the widgets of a service that shares a dashboard and makes none (the facade would make one of its own otherwise). */
const NO_DASHBOARD: IDynamicDashboardFactory = { addDynamicSegment: () => undefined, getDashboard: () => undefined };

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
    const targets = [
      props.target,
      props.function && lambdaMonitoring(props.function),
      props.container && fargateMonitoring(props.container),
      props.kubernetes && kubernetesMonitoring(props.kubernetes),
    ].filter((target) => target !== undefined);
    const given = targets.length;
    if (given !== 1) {
      throw ConstructPropError.of(this, 'function', `is one of 'function', 'container' and 'kubernetes', of which exactly one (or a 'target') must be given for service '${spec.name}'; ${given} are given`);
    }
    this.serviceName = spec.name;
    const target = targets[0]!;
    this.thresholds = thresholdsOf(this, spec, target);
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
      dashboardFactory:
        props.dashboard === false
          ? NO_DASHBOARD
          : new DefaultDashboardFactory(this, 'Dashboards', {
              dashboardNamePrefix: name,
              createDashboard: true,
              createSummaryDashboard: false,
              createAlarmDashboard: false,
            }),
    });
    this.facade.addLargeHeader(`${spec.name} (${spec.runtime})${spec.description ? `: ${spec.description}` : ''}`);

    const errorRateAlarm = { Critical: { threshold: t.errorRatePercent, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `More than ${t.errorRatePercent}% of the requests of ${spec.name} failed.` } };
    const latencyP99Alarm = { Critical: { threshold: t.latencyP99Millis, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `p99 response time of ${spec.name} above ${t.latencyP99Millis} ms.` } };
    this.summaryMetrics = target.monitor(this.facade, { spec, thresholds: t, errorRateAlarm, latencyP99Alarm, period: PERIOD });

    [...(props.deadLetterQueues ?? []), ...(target.deadLetterQueues ?? [])].forEach((queue, index) => {
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

  /** The service's own dashboard; undefined when it shares one (`dashboard: false`). */
  public get dashboard(): cloudwatch.Dashboard | undefined {
    return this.facade.createdDashboard();
  }
}

/**
 * The spec's thresholds, checked with the validation pass's own rules (so a construct used on its own
 * fails as clearly); a runtime's default p99 latency applies where the spec sets none.
 */
function thresholdsOf(scope: Construct, spec: ServiceSpecBase, target: MonitoringTarget): MonitoringThresholds {
  const problems: { field: string; message: string }[] = [];
  checkMonitoring(spec, (field, message) => problems.push({ field, message }));
  if (problems.length > 0) {
    throw ConstructPropError.of(scope, `spec.${problems[0].field}`, `of service '${spec.name}' is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
  const thresholds = monitoringThresholdsOf(spec);
  const runtimeDefault = spec.monitoring?.latencyP99Millis === undefined ? target.defaultLatencyP99Millis : undefined;
  return runtimeDefault === undefined ? thresholds : { ...thresholds, latencyP99Millis: runtimeDefault };
}
