import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { requirePlainName } from './dashboard-names';

/** Props of a LambdaServicesDashboard. */
export interface LambdaServicesDashboardProps {
  /** Name of the dashboard, e.g. `shop-dev-lambda-services`. */
  readonly dashboardName: string;
  /**
   * What every function of the platform's Lambda services is named with, e.g. `shop-dev-`: the
   * dashboard's service selector lists the functions whose names contain it.
   */
  readonly functionNamePrefix: string;
  /** A function of one of the services, shown until another is picked (its literal name, not a token). */
  readonly defaultFunctionName: string;
  /**
   * Period of every graph.
   * @default one minute
   */
  readonly period?: Duration;
}

/**
 * One dashboard for every Lambda service of a platform, instead of a dashboard each (CloudWatch
 * charts every dashboard by the month): a selector at the top picks the service's function, and
 * every graph follows it (a `FunctionName` property variable). The selector is filled by a metric
 * search over the platform's name prefix, so the dashboard does not change, or grow, when services
 * come and go. Each service keeps its own alarms (`ServiceMonitoring`), and the platform overview
 * shows all of them side by side.
 */
export class LambdaServicesDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: LambdaServicesDashboardProps) {
    super(scope, id);
    requirePlainName(this, 'dashboardName', props.dashboardName);
    // The search expression quotes the prefix.
    requirePlainName(this, 'functionNamePrefix', props.functionNamePrefix, 64);
    if (!props.defaultFunctionName.startsWith(props.functionNamePrefix)) {
      throw ConstructPropError.of(this, 'defaultFunctionName', `'${props.defaultFunctionName}' does not start with '${props.functionNamePrefix}', so the selector would not list it`);
    }
    const period = props.period ?? Duration.minutes(1);
    const metric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: props.defaultFunctionName }, statistic, period, label });
    const invocations = metric('Invocations', 'Sum', 'Invocations');
    const errors = metric('Errors', 'Sum', 'Errors');
    const errorRate = new cloudwatch.MathExpression({ expression: 'IF(invocations > 0, 100 * errors / invocations, 0)', usingMetrics: { invocations, errors }, period, label: 'Errors (%)' });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      variables: [
        new cloudwatch.DashboardVariable({
          id: 'function',
          label: 'Service function',
          type: cloudwatch.VariableType.PROPERTY,
          value: 'FunctionName',
          inputType: cloudwatch.VariableInputType.SELECT,
          values: cloudwatch.Values.fromSearch(`{AWS/Lambda,FunctionName} MetricName="Invocations" "${props.functionNamePrefix}"`, 'FunctionName'),
          defaultValue: cloudwatch.DefaultValue.value(props.defaultFunctionName),
        }),
      ],
      widgets: [
        [new cloudwatch.TextWidget({ markdown: `# Lambda services of ${props.functionNamePrefix.replace(/-$/, '')}\nPick a service's function above; every graph follows it. Alarms per service are on the platform overview.`, width: 24, height: 2 })],
        [
          new cloudwatch.GraphWidget({ title: 'Invocations per minute', left: [invocations], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Errors and error rate', left: [errors], right: [errorRate], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Duration (ms)', left: [metric('Duration', 'p50', 'p50'), metric('Duration', 'p99', 'p99'), metric('Duration', 'Maximum', 'max')], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Throttles', left: [metric('Throttles', 'Sum', 'Throttles')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Concurrent executions', left: [metric('ConcurrentExecutions', 'Maximum', 'Concurrent executions')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Failed async deliveries', left: [metric('DeadLetterErrors', 'Sum', 'Dead-letter errors'), metric('DestinationDeliveryFailures', 'Sum', 'Destination failures')], width: 8 }),
        ],
      ],
    });
  }
}
