import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CustomMetricGroup, MonitoringFacade } from 'cdk-monitoring-constructs';
import type { MonitoringSpec, ServiceSpecBase } from '../model/service-spec';

/** The thresholds of a service's alarms, defaults applied. */
export type MonitoringThresholds = Required<MonitoringSpec>;

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
  /** The error-rate alarm every target puts on its error-rate metric (threshold from the spec). */
  readonly errorRateAlarm: NonNullable<CustomMetricGroup['metrics'][number] extends infer M ? M extends { addAlarm?: infer A } ? A : never : never>;
  /** A one-minute period, the same for every metric of the service. */
  readonly period: cloudwatch.MetricOptions['period'];
}

/**
 * What one service's dashboard and alarms watch: each runtime's service says how its requests,
 * errors, latency and saturation are measured, and adds them to the service's facade.
 */
export interface MonitoringTarget {
  /** Adds the service's widgets and alarms to its facade; returns what the platform overview shows of it. */
  monitor(facade: MonitoringFacade, context: MonitoringContext): readonly SummaryMetric[];
  /** Default p99 latency threshold in milliseconds when the spec sets none. */
  readonly defaultLatencyP99Millis?: number;
}
