import { Template } from 'aws-cdk-lib/assertions';
import { LambdaServicesDashboard } from '../../../constructs/observability/lambda-services-dashboard';
import { addPlatformStacks } from '../../../constructs/platform-stacks';
import { DEV_PROFILE } from '../../../constructs/profile';
import { inventory } from '../../../services/inventory/service';
import { payments } from '../../../services/payments/service';
import { catalog } from '../../../services/catalog/service';
import { dashboardBodyOf, newApp, newStack } from '../helpers';

const bodyOf = dashboardBodyOf;

describe('LambdaServicesDashboard', () => {
  const stack = newStack();
  new LambdaServicesDashboard(stack, 'Lambda', { dashboardName: 'acme-dev-lambda-services', functionNamePrefix: 'acme-dev-', defaultFunctionName: 'acme-dev-quotes' });
  const { text } = bodyOf(Template.fromStack(stack), 'acme-dev-lambda-services');
  const body = JSON.parse(text);

  test("has a selector of the platform's functions, filled by a metric search over its name prefix, that every graph follows", () => {
    expect(body.variables).toEqual([
      expect.objectContaining({
        type: 'property',
        property: 'FunctionName',
        inputType: 'select',
        id: 'function',
        defaultValue: 'acme-dev-quotes',
        search: '{AWS/Lambda,FunctionName} MetricName="Invocations" "acme-dev-"',
        populateFrom: 'FunctionName',
      }),
    ]);
    const metrics = body.widgets.filter((w: { type: string }) => w.type === 'metric').flatMap((w: { properties: { metrics: unknown[][] } }) => w.properties.metrics);
    const named = metrics.filter((m: unknown[]) => m[0] === 'AWS/Lambda');
    expect(named.length).toBeGreaterThanOrEqual(8);
    // Every Lambda metric is of the default function, which the selector replaces.
    for (const m of named) expect(m.slice(2, 4)).toEqual(['FunctionName', 'acme-dev-quotes']);
    expect(new Set(named.map((m: unknown[]) => m[1]))).toEqual(new Set(['Invocations', 'Errors', 'Duration', 'Throttles', 'ConcurrentExecutions', 'DeadLetterErrors', 'DestinationDeliveryFailures']));
  });

  test.each([
    ['dashboardName', { dashboardName: 'has space' }],
    ['functionNamePrefix', { functionNamePrefix: 'acme"-' }],
    ['defaultFunctionName', { defaultFunctionName: 'other-quotes' }],
  ])('refuses a bad %s', (field, override) => {
    expect(() => new LambdaServicesDashboard(newStack(), 'Lambda', { dashboardName: 'd', functionNamePrefix: 'acme-dev-', defaultFunctionName: 'acme-dev-quotes', ...override })).toThrow(new RegExp(field));
  });
});

describe('MicroservicePlatform: one dashboard for every Lambda service', () => {
  const stacks = addPlatformStacks(newApp(), { platformName: 'shop', profile: DEV_PROFILE, services: [payments, { ...inventory, events: undefined }, catalog] });
  const platform = stacks.platform;
  const serviceStacks = stacks.serviceStacks;

  test('the Lambda services have no dashboard of their own but keep their alarms; the Fargate service shares the container services dashboard', () => {
    for (const name of ['payments', 'inventory']) {
      const template = Template.fromStack(serviceStacks.get(name)!);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
      expect(platform.monitoring.get(name)!.dashboard).toBeUndefined();
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    }
    Template.fromStack(serviceStacks.get('catalog')!).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('the shared one is in the observability stack, names no resource of another stack, and shows a Lambda service first', () => {
    const observability = Template.fromStack(stacks.observability!);
    expect([...platform.sharedDashboards.keys()].sort()).toEqual(['container-services', 'lambda-services']);
    const { text, tokens } = bodyOf(observability, 'shop-dev-lambda-services');
    // The only value resolved at deploy is the region: no import from a service's stack.
    expect(new Set(tokens.map((t) => JSON.stringify(t)))).toEqual(new Set([JSON.stringify({ Ref: 'AWS::Region' })]));
    expect(JSON.parse(text).variables[0]).toMatchObject({ defaultValue: 'shop-dev-payments', search: '{AWS/Lambda,FunctionName} MetricName="Invocations" "shop-dev-"' });
  });
});
