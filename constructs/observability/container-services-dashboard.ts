import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { requirePlainName } from './dashboard-names';
import { REQUEST_DURATION_METRIC, SERVICE_NAME_ATTRIBUTE } from '../model/telemetry';
import type { SharedDashboard } from './monitoring-target';
import { requestMetrics } from './otel-collector';

/** Props of a ContainerServicesDashboard. */
export interface ContainerServicesDashboardProps {
  /** Name of the dashboard, e.g. `shop-dev-container-services`. */
  readonly dashboardName: string;
  /** CloudWatch namespace the services' collectors write their request metrics to (the platform name). */
  readonly metricsNamespace: string;
  /**
   * A service shown until another is picked: its literal `service.name` (`<platform>-<env>-<service>`),
   * which is also its ECS service name on Fargate.
   */
  readonly defaultServiceName: string;
  /**
   * Period of every graph.
   * @default one minute
   */
  readonly period?: Duration;
}

/**
 * One dashboard for every container service of a platform (Fargate and kubernetes), instead of a
 * dashboard each: a selector at the top lists the services that report request metrics, and every
 * graph follows the one picked (a pattern variable that swaps the service's name throughout). It
 * shows the requests, 5xx and response times each service's own server reports through its
 * collector, and for Fargate services their tasks' CPU, memory and count (Container Insights). The
 * selector is filled by a metric search, so the dashboard neither changes nor grows as services come
 * and go. Each service keeps its own alarms, and the platform overview shows all of them side by side.
 */
export class ContainerServicesDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ContainerServicesDashboardProps) {
    super(scope, id);
    requirePlainName(this, 'dashboardName', props.dashboardName);
    // The search expression quotes the namespace, and the pattern variable matches the name as written.
    requirePlainName(this, 'metricsNamespace', props.metricsNamespace);
    requirePlainName(this, 'defaultServiceName', props.defaultServiceName, 255, ' (a literal service name, not a token)');
    const period = props.period ?? Duration.minutes(1);
    const service = props.defaultServiceName;
    const http = requestMetrics(props.metricsNamespace, service, period);
    // Fargate tasks, by a search over the ECS service name (the pattern), so no cluster name is needed;
    // a kubernetes service has none and shows no tasks here (its pods are on its alarms and the overview).
    const tasks = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{ECS/ContainerInsights,ClusterName,ServiceName} MetricName="${metricName}" ServiceName="${service}"', '${statistic}', ${period.toSeconds()})`,
        usingMetrics: {},
        period,
        label,
      });

    const rows: cloudwatch.IWidget[][] = [
      [new cloudwatch.TextWidget({ markdown: `# Container services of ${props.metricsNamespace}\nPick a service above; every graph follows it. Alarms per service are on the platform overview.`, width: 24, height: 2 })],
      [
        new cloudwatch.GraphWidget({ title: 'Requests per minute', left: [http.requests, http.serverErrors], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Server errors (%)', left: [http.errorRatePercent], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Response time (ms)', left: [http.latencyP50Millis, http.latencyP99Millis], width: 8 }),
      ],
    ];
    rows.push([
      new cloudwatch.GraphWidget({ title: 'Fargate tasks: CPU units used and reserved', left: [tasks('CpuUtilized', 'Sum', 'CPU used'), tasks('CpuReserved', 'Sum', 'CPU reserved')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Fargate tasks: memory used and reserved (MiB)', left: [tasks('MemoryUtilized', 'Sum', 'Memory used'), tasks('MemoryReserved', 'Sum', 'Memory reserved')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Fargate tasks running', left: [tasks('RunningTaskCount', 'Average', 'Running tasks')], width: 8 }),
    ]);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      variables: [
        new cloudwatch.DashboardVariable({
          id: 'service',
          label: 'Service',
          type: cloudwatch.VariableType.PATTERN,
          value: service,
          inputType: cloudwatch.VariableInputType.SELECT,
          values: cloudwatch.Values.fromSearch(`{${props.metricsNamespace},${SERVICE_NAME_ATTRIBUTE}} MetricName="${REQUEST_DURATION_METRIC}"`, SERVICE_NAME_ATTRIBUTE),
          defaultValue: cloudwatch.DefaultValue.value(service),
        }),
      ],
      widgets: rows,
    });
  }
}

/**
 * The platform's container services dashboard, shared by a service that reports as `serviceName`
 * into `metricsNamespace`; undefined when either is not a literal (the dashboard matches names as
 * written), so that the service keeps a dashboard of its own.
 */
export function containerServicesDashboard(serviceName: string, metricsNamespace: string): SharedDashboard | undefined {
  if (Token.isUnresolved(serviceName) || Token.isUnresolved(metricsNamespace)) return undefined;
  return {
    key: 'container-services',
    create: (scope, id, namePrefix) =>
      new ContainerServicesDashboard(scope, id, { dashboardName: `${namePrefix}-container-services`, metricsNamespace, defaultServiceName: serviceName }).dashboard,
  };
}
