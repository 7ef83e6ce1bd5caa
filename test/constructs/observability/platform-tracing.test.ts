import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EncryptedLogGroup } from '../../../constructs/observability/encrypted-log-group';
import { PlatformTracing } from '../../../constructs/observability/platform-tracing';
import { newStack } from '../helpers';

describe('PlatformTracing', () => {
  test('samples only the platform services at the fixed rate, and groups their traces', () => {
    const stack = newStack();
    new PlatformTracing(stack, 'Tracing', { servicePrefix: 'shop-dev', fixedRate: 0.25, reservoirSize: 2 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: { RuleName: 'shop-dev-services', ServiceName: 'shop-dev-*', FixedRate: 0.25, ReservoirSize: 2 },
    });
    template.hasResourceProperties('AWS::XRay::Group', { GroupName: 'shop-dev', FilterExpression: 'service("shop-dev-*")' });
  });

  test('defaults to a 5% fixed rate', () => {
    const stack = newStack();
    new PlatformTracing(stack, 'Tracing', { servicePrefix: 'shop-dev' });
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: { FixedRate: 0.05, ReservoirSize: 1 } });
  });

  test.each([
    [{ fixedRate: 1.5 }, 'fixedRate'],
    [{ fixedRate: -0.1 }, 'fixedRate'],
    [{ fixedRate: Number.NaN }, 'fixedRate'],
    [{ reservoirSize: 0.5 }, 'reservoirSize'],
    [{ servicePrefix: 'shop dev' }, 'servicePrefix'],
  ])('rejects %o', (props, prop) => {
    expect(() => new PlatformTracing(newStack(), 'Tracing', { servicePrefix: 'shop-dev', ...props })).toThrow(new RegExp(`Test/Tracing: prop '${prop}'`));
  });
});

describe('EncryptedLogGroup', () => {
  test('rejects a retention shorter than a year', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'K');
    expect(() => new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retention: RetentionDays.SIX_MONTHS })).toThrow(/prop 'retention' is 180 days/);
  });
});
