import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { CustomThreshold, MonitoringFacade } from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import type { ServiceSpecBase } from '../model/service-spec';

import type { MonitoringThresholds } from '../model/monitoring-policy';

/** A metric shown for the service on the platform overview. */
export interface SummaryMetric {
  readonly title: string;
  readonly metric: cloudwatch.IMetric;
}

/** What a monitoring target is handed to add a service's widgets and alarms. */
export interface MonitoringContext {
  /** The service's spec. */
  readonly spec: ServiceSpecBase;
  /** The thresholds, from the spec with defaults. */
  readonly thresholds: MonitoringThresholds;
  /** The alarm every target puts on its error-rate metric (threshold from the spec). */
  readonly errorRateAlarm: Record<string, CustomThreshold>;
  /** The alarm every target puts on its p99 latency in milliseconds (threshold from the spec). */
  readonly latencyP99Alarm: Record<string, CustomThreshold>;
  /** The period of every metric of the service. */
  readonly period: cloudwatch.MetricOptions['period'];
}

/**
 * What one service's dashboard and alarms watch: each runtime's service says how its requests,
 * errors, latency and saturation are measured, and adds them to the service's facade.
 */
export interface MonitoringTarget {
  /** Adds the service's widgets and alarms to its facade; returns what the platform overview shows of it. */
  monitor(facade: MonitoringFacade, context: MonitoringContext): readonly SummaryMetric[];
  /**
   * p99 latency threshold when the spec sets none, in milliseconds.
   * @default 1000
   */
  readonly defaultLatencyP99Millis?: number;
  /**
   * Queues holding what the service failed to handle that no other alarm watches; each gets a depth alarm.
   * @default - none
   */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
  /**
   * A dashboard the services of this kind share, in place of a dashboard each. A platform makes it
   * once per `key` and gives those services no dashboard of their own (they keep their alarms).
   * @default - the service has a dashboard of its own
   */
  readonly sharedDashboard?: SharedDashboard;
}

/** A dashboard several services share (for example every Lambda service of a platform, picked by a selector). */
export interface SharedDashboard {
  /** Services whose targets give the same key share one dashboard. */
  readonly key: string;
  /** Makes the dashboard, once per key, in `scope`; `namePrefix` is the platform's, e.g. `shop-dev`. */
  create(scope: Construct, id: string, namePrefix: string): cloudwatch.Dashboard;
}

/** The three numbers the overview shows of a service that answers requests. */
export function requestSummary(requests: cloudwatch.IMetric, errorRate: cloudwatch.IMetric, latencyP99: cloudwatch.IMetric): SummaryMetric[] {
  return [{ title: 'requests per minute', metric: requests }, { title: 'errors (%)', metric: errorRate }, { title: 'p99 latency (ms)', metric: latencyP99 }];
}

/** `part` as a percentage of `whole`; no requests means no failures, so the rate is 0, not missing data. */
export function percentOf(part: cloudwatch.IMetric, whole: cloudwatch.IMetric, label: string, period: cloudwatch.MetricOptions['period']): cloudwatch.MathExpression {
  return new MathExpression({ expression: 'IF(whole > 0, 100 * part / whole, 0)', usingMetrics: { part, whole }, period, label });
}
