import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { MonitoringTarget } from '../../observability/monitoring-target';
import { percentOf, requestSummary } from '../../observability/monitoring-target';

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
 * A Fargate service's monitoring: requests, the 5xx rate and p50/p99 response time at its load
 * balancer, and CPU and memory saturation of its tasks.
 */
export function fargateMonitoring({ service, loadBalancer, targetGroup }: MonitoredContainerService): MonitoringTarget {
  return {
    monitor(facade, { spec, thresholds, errorRateAlarm, latencyP99Alarm, period }) {
      // Measured at the load balancer, which serves this service alone: under blue/green the
      // production target group changes at every deployment, so a target group's metrics go quiet.
      const requests = loadBalancer.metrics.requestCount({ period, statistic: 'Sum' });
      const errors = loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' });
      const errorRate = percentOf(errors, requests, 'Target 5xx (%)', period);
      const millis = (statistic: 'p50' | 'p99', label: string) => {
        const id = `latency${statistic.toUpperCase()}`;
        return new cloudwatch.MathExpression({ expression: `${id} * 1000`, usingMetrics: { [id]: loadBalancer.metrics.targetResponseTime({ period, statistic }) }, period, label });
      };
      const latencyP99 = millis('p99', 'p99 response time (ms)');
      facade.monitorFargateApplicationLoadBalancer({
        fargateService: service,
        applicationLoadBalancer: loadBalancer,
        applicationTargetGroup: targetGroup,
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
