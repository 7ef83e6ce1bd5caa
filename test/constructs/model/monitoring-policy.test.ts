import { checkMonitoring, monitoringProblems, monitoringThresholdsOf } from '../../../constructs/model/monitoring-policy';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { validateCatalog } from '../../../constructs/model/validate-catalog';
import { catalog } from '../../../services';
import { HANDLER_ENTRY, fargateSpec, lambdaSpec, problemsOf } from './fixtures/specs';

describe('monitoring thresholds', () => {
  test('default to 1% errors, one dead letter, 90% saturation, and a p99 of 80% of a Lambda\'s timeout or 1 s for containers', () => {
    expect(monitoringThresholdsOf(lambdaSpec('orders', { lambda: { entry: HANDLER_ENTRY, timeoutSeconds: 5 } }))).toEqual({ errorRatePercent: 1, latencyP99Millis: 4000, deadLetterMessages: 1, saturationPercent: 90 });
    expect(monitoringThresholdsOf(lambdaSpec('orders')).latencyP99Millis).toBe(8000);
    expect(monitoringThresholdsOf(fargateSpec('carts')).latencyP99Millis).toBe(1000);
  });

  test('take what the spec gives', () => {
    const given = { errorRatePercent: 5, latencyP99Millis: 300, deadLetterMessages: 10, saturationPercent: 75 };
    expect(monitoringThresholdsOf(fargateSpec('carts', {}, { monitoring: given }))).toEqual(given);
  });

  test.each<[string, ServiceSpec, string, string]>([
    ['an error rate of 0', lambdaSpec('orders', { monitoring: { errorRatePercent: 0 } }), 'monitoring.errorRatePercent', '0 must be a share above 0 and at most 100 percent'],
    ['an error rate above 100', lambdaSpec('orders', { monitoring: { errorRatePercent: 101 } }), 'monitoring.errorRatePercent', '101 must be a share above 0 and at most 100 percent'],
    ['a latency that is not positive', fargateSpec('carts', {}, { monitoring: { latencyP99Millis: -5 } }), 'monitoring.latencyP99Millis', '-5 must be a positive number of milliseconds'],
    ['a latency not below the function\'s timeout', lambdaSpec('orders', { monitoring: { latencyP99Millis: 10_000 } }), 'monitoring.latencyP99Millis', "10000 ms must be less than the function's timeout of 10000 ms, or the alarm can never fire"],
    ['a fraction of a dead letter', lambdaSpec('orders', { monitoring: { deadLetterMessages: 1.5 } }), 'monitoring.deadLetterMessages', '1.5 must be a whole number of messages, at least 1'],
    ['a saturation above 100', fargateSpec('carts', {}, { monitoring: { saturationPercent: 150 } }), 'monitoring.saturationPercent', '150 must be a share above 0 and at most 100 percent'],
    ['a monitoring block that is not an object', lambdaSpec('orders', { monitoring: 5 }), 'monitoring', 'must be an object { errorRatePercent?, latencyP99Millis?, deadLetterMessages?, saturationPercent? }'],
  ])('refuses %s, in the catalog pass, before any resource is made', (_what, spec, field, message) => {
    expect(problemsOf(() => validateCatalog([spec]))).toEqual([{ service: spec.name, field, message }]);
    expect(monitoringProblems(spec)).toEqual([[field, message]]);
  });

  test('a container latency may exceed what a Lambda\'s timeout would allow', () => {
    expect(monitoringProblems(fargateSpec('carts', {}, { monitoring: { latencyP99Millis: 60_000 } }))).toEqual([]);
  });

  test('the demo catalog\'s thresholds are all in range', () => {
    const reported: string[] = [];
    for (const spec of catalog) checkMonitoring(spec, (field) => reported.push(`${spec.name}:${field}`));
    expect(reported).toEqual([]);
  });
});
