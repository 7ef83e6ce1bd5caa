import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { MonitoringTarget } from '../../observability/monitoring-target';
import { requestSummary } from '../../observability/monitoring-target';
import { requestMetrics } from '../../observability/otel-collector';
import { containerServicesDashboard } from '../../observability/container-services-dashboard';

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

/**
 * A kubernetes service's monitoring: requests, the 5xx rate and p50/p99 response time as its pods
 * report them, and its running pods, pod CPU and memory from Container Insights.
 */
export function kubernetesMonitoring({ clusterName, namespace, telemetryServiceName, metricsNamespace }: MonitoredKubernetesService): MonitoringTarget {
  return {
    sharedDashboard: containerServicesDashboard(telemetryServiceName, metricsNamespace),
    monitor(facade, { spec, thresholds, errorRateAlarm, latencyP99Alarm, period }) {
      const podMetric = (metricName: string, label: string) =>
        new cloudwatch.Metric({ namespace: 'ContainerInsights', metricName, dimensionsMap: { ClusterName: clusterName, Namespace: namespace, Service: spec.name }, period, statistic: 'Average', label });
      const pods = podMetric('service_number_of_running_pods', 'Running pods');
      const minPods = Math.max(1, spec.scaling?.min ?? 1);
      const saturation = (what: string) => ({ Critical: { threshold: thresholds.saturationPercent, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, additionalDescription: `${what} of the pods of ${spec.name} above ${thresholds.saturationPercent}%.` } });
      // Requests as the service's own server counts them, sent by the collector in each pod.
      const http = requestMetrics(metricsNamespace, telemetryServiceName, period!);
      facade.monitorCustom({
        alarmFriendlyName: 'http',
        humanReadableName: `${spec.name} requests (reported by its pods)`,
        metricGroups: [
          { title: 'Requests per minute', metrics: [http.requests, http.serverErrors] },
          { title: 'Server errors (%)', metrics: [{ metric: http.errorRatePercent, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] },
          { title: 'Response time (ms)', metrics: [http.latencyP50Millis, { metric: http.latencyP99Millis, alarmFriendlyName: 'LatencyP99', addAlarm: latencyP99Alarm }] },
        ],
      });
      facade.monitorCustom({
        alarmFriendlyName: 'pods',
        humanReadableName: `${spec.name} pods (Container Insights)`,
        metricGroups: [
          { title: 'Running pods', metrics: [{ metric: pods, alarmFriendlyName: 'RunningPods', addAlarm: { Critical: { threshold: minPods, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, additionalDescription: `Fewer than ${minPods} pods of ${spec.name} are running.` } } }] },
          { title: 'Pod CPU (%)', metrics: [{ metric: podMetric('pod_cpu_utilization', 'Pod CPU (% of node)'), alarmFriendlyName: 'CpuSaturation', addAlarm: saturation('CPU') }] },
          { title: 'Pod memory (%)', metrics: [{ metric: podMetric('pod_memory_utilization', 'Pod memory (% of node)'), alarmFriendlyName: 'MemorySaturation', addAlarm: saturation('Memory') }] },
        ],
      });
      return [...requestSummary(http.requests, http.errorRatePercent, http.latencyP99Millis), { title: 'running pods', metric: pods }];
    },
  };
}
