/**
 * A service's alarm thresholds: defaults and allowed ranges, in one place. The validation pass
 * checks them with {@link checkMonitoring} before any resource is made; the monitoring constructs
 * take {@link monitoringThresholdsOf} and need not check again.
 */
import { MONITORING_FIELDS, Report, checkFields, isWholeNumber } from './spec-fields';
import type { MonitoringSpec, ServiceSpecBase } from './service-spec';

/** The thresholds, defaults applied. */
export type MonitoringThresholds = Required<MonitoringSpec>;

export const DEFAULT_ERROR_RATE_PERCENT = 1;
export const DEFAULT_CONTAINER_LATENCY_MILLIS = 1000;
export const DEFAULT_DEAD_LETTER_MESSAGES = 1;
export const DEFAULT_SATURATION_PERCENT = 90;
/** A Lambda service's default p99 latency alarm is this share of its timeout. */
export const LAMBDA_LATENCY_SHARE_OF_TIMEOUT = 0.8;
/** A Lambda function's timeout when the spec gives none (seconds). */
export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 10;

/** What a threshold check needs of a spec: its `monitoring` block, and its function's timeout when it runs on Lambda. */
export type MonitoredSpec = Pick<ServiceSpecBase, 'runtime' | 'monitoring'> & { readonly lambda?: { readonly timeoutSeconds?: number } };

/** Milliseconds the service's function may run, for a Lambda service; undefined for other runtimes. */
export function functionTimeoutMillisOf(spec: MonitoredSpec): number | undefined {
  return spec.runtime === 'lambda' ? (spec.lambda?.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS) * 1000 : undefined;
}

/** The spec's thresholds with their defaults: the p99 latency defaults to 80% of a Lambda's timeout, 1000 ms for containers. */
export function monitoringThresholdsOf(spec: MonitoredSpec): MonitoringThresholds {
  const given = spec.monitoring ?? {};
  const timeoutMillis = functionTimeoutMillisOf(spec);
  return {
    errorRatePercent: given.errorRatePercent ?? DEFAULT_ERROR_RATE_PERCENT,
    latencyP99Millis: given.latencyP99Millis ?? (timeoutMillis === undefined ? DEFAULT_CONTAINER_LATENCY_MILLIS : Math.round(timeoutMillis * LAMBDA_LATENCY_SHARE_OF_TIMEOUT)),
    deadLetterMessages: given.deadLetterMessages ?? DEFAULT_DEAD_LETTER_MESSAGES,
    saturationPercent: given.saturationPercent ?? DEFAULT_SATURATION_PERCENT,
  };
}

const isShare = (value: unknown): boolean => typeof value === 'number' && value > 0 && value <= 100;

/** Checks the spec's `monitoring` block: known fields, and each threshold in its range (reported as `monitoring.<field>`). */
export function checkMonitoring(spec: MonitoredSpec, report: Report): void {
  const given = spec.monitoring;
  if (given === undefined) return;
  if (!checkFields(given, MONITORING_FIELDS, 'monitoring', report)) {
    report('monitoring', 'must be an object { errorRatePercent?, latencyP99Millis?, deadLetterMessages?, saturationPercent? }');
    return;
  }
  const timeoutMillis = functionTimeoutMillisOf(spec);
  const { errorRatePercent, latencyP99Millis, deadLetterMessages, saturationPercent } = given;
  if (errorRatePercent !== undefined && !isShare(errorRatePercent)) {
    report('monitoring.errorRatePercent', `${String(errorRatePercent)} must be a share above 0 and at most 100 percent`);
  }
  if (latencyP99Millis !== undefined) {
    if (typeof latencyP99Millis !== 'number' || !Number.isFinite(latencyP99Millis) || latencyP99Millis <= 0) {
      report('monitoring.latencyP99Millis', `${String(latencyP99Millis)} must be a positive number of milliseconds`);
    } else if (timeoutMillis !== undefined && latencyP99Millis >= timeoutMillis) {
      report('monitoring.latencyP99Millis', `${latencyP99Millis} ms must be less than the function's timeout of ${timeoutMillis} ms, or the alarm can never fire`);
    }
  }
  if (deadLetterMessages !== undefined && !isWholeNumber(deadLetterMessages, 1, Number.MAX_SAFE_INTEGER)) {
    report('monitoring.deadLetterMessages', `${String(deadLetterMessages)} must be a whole number of messages, at least 1`);
  }
  if (saturationPercent !== undefined && !isShare(saturationPercent)) {
    report('monitoring.saturationPercent', `${String(saturationPercent)} must be a share above 0 and at most 100 percent`);
  }
}

/** The problems of the spec's `monitoring` block, as `[field, message]` pairs; empty when it is valid. */
export function monitoringProblems(spec: MonitoredSpec): [field: string, message: string][] {
  const problems: [string, string][] = [];
  checkMonitoring(spec, (field, message) => problems.push([field, message]));
  return problems;
}
