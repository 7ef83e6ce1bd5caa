import { Template } from 'aws-cdk-lib/assertions';
import { ContainerServicesDashboard, DEV_PROFILE, type FargateServiceSpec, addPlatformStacks } from 'msa-platform-blueprint';
import { catalog } from '../../../services/catalog/service';
import { dashboardBodyOf, newApp, newStack } from '../helpers';

const bodyOf = dashboardBodyOf;

describe('ContainerServicesDashboard', () => {
  const stack = newStack();
  new ContainerServicesDashboard(stack, 'Containers', { dashboardName: 'acme-dev-container-services', metricsNamespace: 'acme', defaultServiceName: 'acme-dev-quotes' });
  const { text } = bodyOf(Template.fromStack(stack), 'acme-dev-container-services');
  const body = JSON.parse(text);

  test("has a selector of the services that report request metrics, and every graph names the picked service's name, which the selector swaps", () => {
    expect(body.variables).toEqual([
      expect.objectContaining({
        type: 'pattern',
        pattern: 'acme-dev-quotes',
        inputType: 'select',
        id: 'service',
        defaultValue: 'acme-dev-quotes',
        search: '{acme,service.name} MetricName="http.server.request.duration"',
        populateFrom: 'service.name',
      }),
    ]);
    const metrics = body.widgets.filter((w: { type: string }) => w.type === 'metric').flatMap((w: { properties: { metrics: unknown[][] } }) => w.properties.metrics);
    // Request metrics: by service.name; task metrics: a search over ECS Container Insights by service name.
    const requestRows = metrics.filter((m: unknown[]) => m[0] === 'acme');
    expect(requestRows.length).toBeGreaterThanOrEqual(4);
    for (const row of requestRows) expect(row[row.indexOf('service.name') + 1]).toBe('acme-dev-quotes');
    const searches = metrics.map((m: unknown[]) => m.find((part) => typeof part === 'object' && part !== null && 'expression' in (part as object)) as { expression: string } | undefined).filter((e: unknown) => e && (e as { expression: string }).expression.startsWith('SEARCH'));
    expect(searches.map((s: { expression: string }) => s.expression.match(/MetricName="(\w+)"/)![1]).sort()).toEqual(['CpuReserved', 'CpuUtilized', 'MemoryReserved', 'MemoryUtilized', 'RunningTaskCount']);
    for (const s of searches) expect(s.expression).toContain('ServiceName="acme-dev-quotes"');
    // Nothing but the metrics and the selector spells the service's name, so the pattern swaps only what it should.
    const rest = { ...body, variables: [], widgets: body.widgets.map((w: { properties: Record<string, unknown> }) => ({ ...w, properties: { ...w.properties, metrics: [] } })) };
    expect(JSON.stringify(rest)).not.toContain('acme-dev-quotes');
  });

  test.each([
    ['dashboardName', { dashboardName: 'has space' }],
    ['metricsNamespace', { metricsNamespace: 'acme"' }],
    ['defaultServiceName', { defaultServiceName: 'acme.*' }],
  ])('refuses a bad %s', (field, override) => {
    expect(() => new ContainerServicesDashboard(newStack(), 'Containers', { dashboardName: 'd', metricsNamespace: 'acme', defaultServiceName: 'acme-dev-quotes', ...override })).toThrow(new RegExp(field));
  });
});

describe('MicroservicePlatform: one dashboard for every container service', () => {
  const search: FargateServiceSpec = { ...(catalog as FargateServiceSpec), name: 'search', routes: [], table: undefined };
  const stacks = addPlatformStacks(newApp(), { platformName: 'shop', profile: DEV_PROFILE, services: [catalog, search] });

  test('the Fargate services have no dashboard of their own but keep their alarms; the shared one is in the observability stack and names no resource of another stack', () => {
    for (const name of ['catalog', 'search']) {
      const template = Template.fromStack(stacks.serviceStacks.get(name)!);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    }
    const { text, tokens } = bodyOf(Template.fromStack(stacks.observability!), 'shop-dev-container-services');
    expect(new Set(tokens.map((t) => JSON.stringify(t)))).toEqual(new Set([JSON.stringify({ Ref: 'AWS::Region' })]));
    expect(JSON.parse(text).variables[0]).toMatchObject({ defaultValue: 'shop-dev-catalog', search: '{shop,service.name} MetricName="http.server.request.duration"' });
  });
});
