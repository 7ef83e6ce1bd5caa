import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { targetGroupSum } from '../../containers/fargate-microservice';
import { containerServicesDashboard } from '../../observability/container-services-dashboard';
import type { MonitoringTarget } from '../../observability/monitoring-target';
import { percentOf, requestSummary } from '../../observability/monitoring-target';

/** A container service behind a load balancer (its own or a shared one). */
export interface MonitoredContainerService {
  /** The ECS service (CPU and memory use, running tasks). */
  readonly service: ecs.FargateService;
  /** `app/<name>/<id>` of the load balancer, the `LoadBalancer` dimension of its metrics. */
  readonly loadBalancerFullName: string;
  /** The target groups the tasks may be in (two under blue/green). */
  readonly targetGroups: readonly elbv2.ApplicationTargetGroup[];
  /**
   * The name its server reports request metrics under (`service.name`, also its ECS service name)
   * and their namespace: given as literals, the service shares the platform's container services
   * dashboard instead of having one of its own.
   * @default - a dashboard of its own
   */
  readonly telemetry?: { readonly serviceName: string; readonly metricsNamespace: string };
}

/**
 * A Fargate service's monitoring: requests, the 5xx rate and p50/p99 response time of its target
 * groups, and CPU and memory saturation of its tasks.
 */
export function fargateMonitoring({ service, loadBalancerFullName, targetGroups, telemetry }: MonitoredContainerService): MonitoringTarget {
  return {
    sharedDashboard: telemetry && containerServicesDashboard(telemetry.serviceName, telemetry.metricsNamespace),
    monitor(facade, { spec, thresholds, errorRateAlarm, latencyP99Alarm, period }) {
      // Measured per target group and summed: the load balancer may serve other services too, and
      // under blue/green the production target group changes at every deployment.
      const requests = targetGroupSum(loadBalancerFullName, targetGroups, 'RequestCount', 'Requests', { period });
      const errors = targetGroupSum(loadBalancerFullName, targetGroups, 'HTTPCode_Target_5XX_Count', 'Target 5xx', { period });
      const errorRate = percentOf(errors, requests, 'Target 5xx (%)', period);
      // The slower of the two groups (only one serves outside a deployment), in milliseconds.
      const millis = (statistic: 'p50' | 'p99', label: string) => {
        const usingMetrics: Record<string, cloudwatch.IMetric> = {};
        targetGroups.forEach((group, index) => {
          usingMetrics[`${statistic}g${index}`] = new cloudwatch.Metric({
            namespace: 'AWS/ApplicationELB',
            metricName: 'TargetResponseTime',
            dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: group.targetGroupFullName },
            statistic,
            period,
          });
        });
        return new cloudwatch.MathExpression({ expression: `MAX([${Object.keys(usingMetrics).join(', ')}]) * 1000`, usingMetrics, period, label });
      };
      const latencyP99 = millis('p99', 'p99 response time (ms)');
      facade.monitorSimpleFargateService({
        fargateService: service,
        alarmFriendlyName: 'tasks',
        humanReadableName: `${spec.name} tasks`,
        addCpuUsageAlarm: { Critical: { maxUsagePercent: thresholds.saturationPercent } },
        addMemoryUsageAlarm: { Critical: { maxUsagePercent: thresholds.saturationPercent } },
      });
      facade.monitorCustom({
        alarmFriendlyName: 'http',
        humanReadableName: `${spec.name} requests at its load balancer`,
        metricGroups: [
          { title: 'Requests per minute', metrics: [requests] },
          { title: 'Target 5xx (%)', metrics: [{ metric: errorRate, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] },
          { title: 'Response time (ms)', metrics: [millis('p50', 'p50 response time (ms)'), { metric: latencyP99, alarmFriendlyName: 'LatencyP99', addAlarm: latencyP99Alarm }] },
        ],
      });
      return requestSummary(requests, errorRate, latencyP99);
    },
  };
}
