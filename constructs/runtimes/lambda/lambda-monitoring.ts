import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { LAMBDA_LATENCY_SHARE_OF_TIMEOUT } from '../../model/monitoring-policy';
import type { MonitoringTarget } from '../../observability/monitoring-target';
import { LambdaServicesDashboard } from '../../observability/lambda-services-dashboard';
import { percentOf, requestSummary } from '../../observability/monitoring-target';


/** How a Lambda service's monitoring is shared with the other Lambda services of its platform. */
export interface LambdaMonitoringOptions {
  /**
   * The function's literal name, when it carries the platform's name prefix (`<prefix>-<service>`):
   * the service then shares the platform's Lambda services dashboard instead of having its own.
   * @default - a dashboard of its own
   */
  readonly functionName?: string;
}

/**
 * A Lambda service's monitoring: invocations, the error rate, p99 duration (below the timeout) and
 * throttles of its function, and the depth of queues holding what it failed to handle.
 */
export function lambdaMonitoring(fn: lambda.IFunction & { readonly timeout?: Duration }, deadLetterQueues: readonly sqs.IQueue[] = [], options: LambdaMonitoringOptions = {}): MonitoringTarget {
  const timeoutMillis = (fn.timeout ?? Duration.seconds(3)).toMilliseconds();
  const functionName = options.functionName;
  return {
    defaultLatencyP99Millis: Math.round(timeoutMillis * LAMBDA_LATENCY_SHARE_OF_TIMEOUT),
    deadLetterQueues,
    sharedDashboard:
      functionName === undefined
        ? undefined
        : {
            key: 'lambda-services',
            create: (scope, id, namePrefix) =>
              new LambdaServicesDashboard(scope, id, { dashboardName: `${namePrefix}-lambda-services`, functionNamePrefix: `${namePrefix}-`, defaultFunctionName: functionName }).dashboard,
          },
    monitor(facade, { spec, thresholds, errorRateAlarm, period }) {
      const invocations = fn.metricInvocations({ period, statistic: 'Sum' });
      const errorRate = percentOf(fn.metricErrors({ period, statistic: 'Sum' }), invocations, 'Function errors (%)', period);
      facade.monitorLambdaFunction({
        lambdaFunction: fn,
        alarmFriendlyName: 'function',
        humanReadableName: `${spec.name} function`,
        addLatencyP99Alarm: { Critical: { maxLatency: Duration.millis(thresholds.latencyP99Millis) } },
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0 } },
      });
      facade.monitorCustom({
        alarmFriendlyName: 'function-errors',
        humanReadableName: `${spec.name} error rate`,
        metricGroups: [{ title: 'Function error rate (%)', metrics: [{ metric: errorRate, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] }],
      });
      return requestSummary(invocations, errorRate, fn.metricDuration({ period, statistic: 'p99' }));
    },
  };
}
