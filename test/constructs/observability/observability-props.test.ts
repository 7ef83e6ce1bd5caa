import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlertTopic } from '../../../constructs/observability/alert-topic';
import { LogAggregation, LogAggregationProps } from '../../../constructs/observability/log-aggregation';
import { PlatformOverview } from '../../../constructs/observability/platform-overview';
import { ServiceMonitoring, ServiceMonitoringProps } from '../../../constructs/observability/service-monitoring';
import { DEV_PROFILE, PROD_PROFILE } from '../../../constructs/profile';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { newStack } from '../helpers';

function logAggregation(stack: Stack, overrides: Partial<LogAggregationProps> = {}): LogAggregation {
  // An env-agnostic stack knows two AZs by name; three are picked by index, as the platform network does.
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs())), natGateways: 1 });
  return new LogAggregation(stack, 'Logs', { domainName: 'shop-test-logs', vpc, capacity: PROD_PROFILE.logSearch, ...overrides });
}

describe('LogAggregation', () => {
  test('a highly available capacity needs no reason and gets no relaxation', () => {
    const stack = newStack();
    logAggregation(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::OpenSearchService::Domain', { ClusterConfig: { ZoneAwarenessEnabled: true, DedicatedMasterEnabled: true } });
  });

  test('a relaxed capacity is refused without a reason, and accepted with one', () => {
    const relaxed = { capacity: DEV_PROFILE.logSearch };
    expect(() => logAggregation(newStack(), relaxed)).toThrow(/Test\/Logs: prop 'relaxationReason' is missing, but the capacity \(1 zones, 0 dedicated masters\)/);
    const stack = newStack();
    logAggregation(stack, { ...relaxed, relaxationReason: DEV_PROFILE.logSearch.relaxationReason });
    Template.fromStack(stack).hasResourceProperties('AWS::OpenSearchService::Domain', { ClusterConfig: { ZoneAwarenessEnabled: false, InstanceCount: 1 } });
  });

  test('the prod profile relaxes nothing, so it carries no reason', () => {
    expect(PROD_PROFILE.logSearch.relaxationReason).toBeUndefined();
    expect(PROD_PROFILE.logSearch).toMatchObject({ availabilityZones: 3, dedicatedMasterNodes: 3 });
  });

  test.each([
    [{ domainName: 'Shop' }, 'domainName'],
    [{ domainName: 'a-domain-name-longer-than-28-chars' }, 'domainName'],
    [{ capacity: { ...PROD_PROFILE.logSearch, availabilityZones: 4 } }, 'capacity.availabilityZones'],
    [{ capacity: { ...PROD_PROFILE.logSearch, dataNodes: 4 } }, 'capacity.dataNodes'],
    [{ capacity: { ...PROD_PROFILE.logSearch, dedicatedMasterNodes: 2 } }, 'capacity.dedicatedMasterNodes'],
    [{ capacity: { ...PROD_PROFILE.logSearch, volumeSizeGiB: 5 } }, 'capacity.volumeSizeGiB'],
    [{ failedDocumentRetentionDays: 0 }, 'failedDocumentRetentionDays'],
  ])('rejects %o', (overrides, prop) => {
    expect(() => logAggregation(newStack(), overrides as Partial<LogAggregationProps>)).toThrow(new RegExp(`Test/Logs: prop '${prop.replace('.', '\\.')}'`));
  });

  test('refuses more zones than the subnets span', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    expect(() => new LogAggregation(stack, 'Logs', { domainName: 'shop-test-logs', vpc, capacity: PROD_PROFILE.logSearch })).toThrow(/prop 'capacity.availabilityZones' is 3, but the subnets given span only 2 zones/);
  });
});

describe('ServiceMonitoring', () => {
  const spec: ServiceSpec = { name: 'billing', runtime: 'lambda', lambda: { entry: __filename, timeoutSeconds: 5 } };
  function monitoring(overrides: Partial<ServiceMonitoringProps> = {}, specOverrides: Record<string, unknown> = {}): ServiceMonitoring {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'), timeout: Duration.seconds(5) });
    return new ServiceMonitoring(stack, 'Monitoring', { spec: { ...spec, ...specOverrides } as ServiceSpec, namePrefix: 'shop-test', alertTopic: new sns.Topic(stack, 'Topic'), function: fn, ...overrides });
  }

  test('defaults: 1% errors, p99 at 80% of the timeout, one dead letter, 90% saturation', () => {
    expect(monitoring().thresholds).toEqual({ errorRatePercent: 1, latencyP99Millis: 4000, deadLetterMessages: 1, saturationPercent: 90 });
  });

  test('without a gateway or queues, a Lambda service still gets its error-rate, latency and throttle alarms', () => {
    const made = monitoring();
    const names = made.alarms.map((a) => a.alarmName);
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^shop-test-billing-function-errors-ErrorRate/), expect.stringMatching(/^shop-test-billing-function-Latency-P99/), expect.stringMatching(/^shop-test-billing-function-Throttled-Count/)]));
    expect(names.some((n) => /Gateway5xx|dead-letters/.test(n))).toBe(false);
  });

  test.each([
    [{ errorRatePercent: 0 }, 'errorRatePercent'],
    [{ errorRatePercent: 101 }, 'errorRatePercent'],
    [{ latencyP99Millis: -1 }, 'latencyP99Millis'],
    [{ latencyP99Millis: 5000 }, 'latencyP99Millis'],
    [{ deadLetterMessages: 0 }, 'deadLetterMessages'],
    [{ saturationPercent: 150 }, 'saturationPercent'],
  ])('rejects the thresholds %o, naming the service and field', (thresholds, field) => {
    expect(() => monitoring({}, { monitoring: thresholds })).toThrow(new RegExp(`Test/Monitoring: prop 'spec\\.monitoring\\.${field}' of service 'billing' is`));
  });

  test('needs exactly one of function, container and kubernetes', () => {
    expect(() => monitoring({ function: undefined })).toThrow(/prop 'function' is one of 'function', 'container' and 'kubernetes', of which exactly one \(or a 'target'\) must be given for service 'billing'; 0 are given/);
    expect(() => monitoring({ kubernetes: { clusterName: 'shop-test', namespace: 'shop', telemetryServiceName: 'shop-test-billing', metricsNamespace: 'shop' } })).toThrow(/; 2 are given/);
  });
});

describe('AlertTopic and PlatformOverview', () => {
  test.each([
    [{ topicName: 'has space' }, 'topicName'],
    [{ emails: ['not-an-email'] }, 'emails'],
  ])('AlertTopic rejects %o', (overrides, prop) => {
    expect(() => new AlertTopic(newStack(), 'Alerts', { topicName: 'shop-test-alerts', ...overrides })).toThrow(new RegExp(`Test/Alerts: prop '${prop}'`));
  });

  test('AlertTopic subscribes the emails given', () => {
    const stack = newStack();
    new AlertTopic(stack, 'Alerts', { topicName: 'shop-test-alerts', emails: ['ops@example.com'] });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('PlatformOverview rejects a gateway error rate outside (0, 100]', () => {
    const stack = newStack();
    expect(() => new PlatformOverview(stack, 'Overview', { namePrefix: 'shop-test', alertTopic: new sns.Topic(stack, 'T'), services: [], gatewayErrorRatePercent: 0 })).toThrow(/Test\/Overview: prop 'gatewayErrorRatePercent' is 0/);
  });
});
