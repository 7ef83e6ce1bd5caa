/**
 * The two BFFs as the platform builds them from the demo catalog: their own gateway entries
 * (scopes, API keys, usage plans, throttles, body limits, integration timeouts from the policies),
 * their registrations, grants held to what each calls and reads, and their feature flags on AppConfig.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FeatureFlags } from '../../constructs/config/feature-flags';
import { ConstructPropError } from '../../constructs/model/errors';
import { integrationTimeoutMsOf } from '../../constructs/model/resilience-policy';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { MicroservicePlatform } from '../../constructs/platform';
import { DEV_PROFILE } from '../../constructs/profile';
import { catalog as demoCatalog } from '../../services';
import { bffMobile } from '../../services/bff-mobile/service';
import { bffWeb } from '../../services/bff-web/service';
import { catalog as catalogService } from '../../services/catalog/service';
import { arnText, asList, logicalIds, newStack, statementsOfRole } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { [key: string]: any };

function platformTemplate(services: readonly ServiceSpec[] = demoCatalog): { template: Template; platform: MicroservicePlatform } {
  const stack = newStack();
  const platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services, profile: DEV_PROFILE });
  return { template: Template.fromStack(stack), platform };
}

describe('the BFFs through MicroservicePlatform', () => {
  let template: Template;
  let platform: MicroservicePlatform;
  const roleOf = (service: string) => logicalIds(template, 'AWS::IAM::Role', { Description: `Execution role of shop-dev-${service}` })[0];
  const functionOf = (service: string) => logicalIds(template, 'AWS::Lambda::Function', { FunctionName: `shop-dev-${service}` })[0];
  /** The `live` alias callers invoke (so a canary deployment shifts their calls too). */
  const aliasOf = (service: string) => logicalIds(template, 'AWS::Lambda::Alias', { FunctionName: { Ref: functionOf(service) }, Name: 'live' })[0];

  beforeAll(() => {
    ({ template, platform } = platformTemplate());
  });

  /** The method serving `route`, found through the gateway's own map. */
  const methodOf = (route: string): Resource => {
    const method = platform.gateway!.methods.get(route)!.node.defaultChild as CfnElement;
    return template.findResources('AWS::ApiGateway::Method')[method.stack.getLogicalId(method)];
  };

  test.each([
    { spec: bffWeb, frontEnd: 'web' },
    { spec: bffMobile, frontEnd: 'mobile' },
  ])('$spec.name is its front end\'s own entry: its scope, its API key, its integration timeout from the policies', ({ spec, frontEnd }) => {
    const method = methodOf(spec.routes![0].route).Properties;
    expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
    expect(method.AuthorizationScopes.map(arnText)).toEqual([expect.stringMatching(new RegExp(`/${spec.name}\\.read$`))]);
    expect(method.ApiKeyRequired).toBe(true);
    expect(method.Integration.TimeoutInMillis).toBe(integrationTimeoutMsOf(spec));
    expect(method.Integration.TimeoutInMillis).toBeLessThan(spec.entry!.clientTimeoutMs);
    expect(platform.gateway!.entries.get(frontEnd as 'web' | 'mobile')!.serviceName).toBe(spec.name);
  });

  test('routes of other services need no API key and keep the longest integration timeout', () => {
    const method = methodOf('GET /orders/{id}').Properties;
    expect(method.ApiKeyRequired).toBe(false);
    expect(method.Integration.TimeoutInMillis).toBe(29_000);
  });

  test('each front end\'s app client gets its own BFF\'s scope and not the other\'s', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    const scopesOf = (name: string) => (Object.values(clients).find((c) => c.Properties.ClientName === name)!.Properties.AllowedOAuthScopes as unknown[]).map(arnText).join(' ');
    expect(scopesOf('shop-web')).toMatch(/bff-web\.read/);
    expect(scopesOf('shop-web')).not.toMatch(/bff-mobile/);
    expect(scopesOf('shop-mobile')).toMatch(/bff-mobile\.read/);
    expect(scopesOf('shop-mobile')).not.toMatch(/bff-web/);
  });

  test('each entry has a usage plan with its throttle and quota, on its own methods, and an API key in it', () => {
    for (const spec of [bffWeb, bffMobile]) {
      const [planId, plan] = Object.entries(template.findResources('AWS::ApiGateway::UsagePlan', { Properties: { UsagePlanName: `shop-dev-edge-${spec.entry!.frontEnd}` } }))[0];
      expect(plan.Properties.Throttle).toEqual({ RateLimit: spec.entry!.rateLimit, BurstLimit: spec.entry!.burstLimit });
      expect(plan.Properties.Quota).toEqual({ Limit: spec.entry!.quota.limit, Period: spec.entry!.quota.period });
      const path = spec.routes![0].route.split(' ')[1];
      expect(Object.keys(plan.Properties.ApiStages[0].Throttle)).toEqual([`${path}/GET`]);
      const [keyId] = logicalIds(template, 'AWS::ApiGateway::ApiKey', { Name: `shop-dev-edge-${spec.entry!.frontEnd}` });
      template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyId: { Ref: keyId }, UsagePlanId: { Ref: planId } });
    }
  });

  test('the stage throttles each entry\'s methods with the entry\'s own limits', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage.Properties.MethodSettings).toEqual(expect.arrayContaining([
      expect.objectContaining({ ResourcePath: '/~1web~1orders~1{id}', HttpMethod: 'GET', ThrottlingRateLimit: bffWeb.entry!.rateLimit, ThrottlingBurstLimit: bffWeb.entry!.burstLimit }),
      expect.objectContaining({ ResourcePath: '/~1mobile~1orders~1{id}', HttpMethod: 'GET', ThrottlingRateLimit: bffMobile.entry!.rateLimit, ThrottlingBurstLimit: bffMobile.entry!.burstLimit }),
    ]));
  });

  test('the firewall blocks bodies over each entry\'s limit on its paths', () => {
    const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
    const rule = (acl.Properties.Rules as Resource[]).find((r) => r.Name === 'web-body-size')!;
    expect(rule.Action).toEqual({ Block: {} });
    expect(rule.Statement.AndStatement.Statements).toEqual([
      expect.objectContaining({ ByteMatchStatement: expect.objectContaining({ SearchString: '/dev/web/', PositionalConstraint: 'STARTS_WITH', FieldToMatch: { UriPath: {} } }) }),
      expect.objectContaining({ SizeConstraintStatement: expect.objectContaining({ ComparisonOperator: 'GT', Size: bffWeb.entry!.maxBodyBytes, FieldToMatch: { Body: { OversizeHandling: 'MATCH' } } }) }),
    ]);
  });

  test('every service is registered in the HTTP namespace with the attributes discovery needs', () => {
    const [httpNamespace] = logicalIds(template, 'AWS::ServiceDiscovery::HttpNamespace');
    for (const name of ['orders', 'bff-web', 'bff-mobile']) {
      const [service] = logicalIds(template, 'AWS::ServiceDiscovery::Service', { Name: name, NamespaceId: { 'Fn::GetAtt': [httpNamespace, 'Id'] } });
      template.hasResourceProperties('AWS::ServiceDiscovery::Instance', {
        ServiceId: { 'Fn::GetAtt': [service, 'Id'] },
        InstanceAttributes: { runtime: 'lambda', functionName: `shop-dev-${name}`, functionArn: { Ref: aliasOf(name) } },
      });
    }
    const [catalogEntry] = logicalIds(template, 'AWS::ServiceDiscovery::Service', { Name: 'catalog', NamespaceId: { 'Fn::GetAtt': [httpNamespace, 'Id'] } });
    template.hasResourceProperties('AWS::ServiceDiscovery::Instance', { ServiceId: { 'Fn::GetAtt': [catalogEntry, 'Id'] }, InstanceAttributes: { runtime: 'fargate' } });
  });

  test.each([bffWeb, bffMobile])('$name may discover only what it calls, invoke only orders, and read only its own config and flags', (spec) => {
    const statements = statementsOfRole(template, roleOf(spec.name));
    const actionsOf = (prefix: string) => statements.filter((s) => asList(s.Action).some((a) => a.startsWith(prefix)));
    expect(actionsOf('servicediscovery:')).toEqual([expect.objectContaining({
      Resource: '*',
      Condition: { StringEquals: { 'servicediscovery:NamespaceName': 'shop-dev', 'servicediscovery:ServiceName': ['orders', 'catalog'] } },
    })]);
    expect(actionsOf('lambda:')).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: aliasOf('orders') } }]);
    for (const s of actionsOf('ssm:')) for (const resource of asList(s.Resource)) expect(arnText(resource)).toMatch(new RegExp(`:parameter/shop/dev/${spec.name}(/|$)`));
    const [profile] = logicalIds(template, 'AWS::AppConfig::ConfigurationProfile', { Name: spec.name });
    const appconfig = actionsOf('appconfig:');
    expect(appconfig).toHaveLength(1);
    expect(arnText(appconfig[0].Resource)).toMatch(new RegExp(`/configuration/\\$\\{${profile}\\}$`));
  });

  test.each([bffWeb, bffMobile])('$name finds its dependencies and flags by pointers in its environment, never by address', (spec) => {
    const fn = template.findResources('AWS::Lambda::Function')[functionOf(spec.name)];
    expect(fn.Properties.Environment.Variables).toEqual(expect.objectContaining({
      DISCOVERY_NAMESPACE: 'shop-dev',
      CONFIG_PATH: `/shop/dev/${spec.name}`,
      FEATURE_FLAGS_APPLICATION: 'shop-dev',
      FEATURE_FLAGS_ENVIRONMENT: 'dev',
      FEATURE_FLAGS_PROFILE: spec.name,
    }));
    expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toMatch(/elb\.amazonaws|LoadBalancer|ordersFunction/);
  });

  test('a service that calls nothing gets no discovery or invoke grant', () => {
    const actions = statementsOfRole(template, roleOf('orders')).flatMap((s) => asList(s.Action));
    expect(actions.filter((a) => a.startsWith('servicediscovery:') || a.startsWith('lambda:'))).toEqual([]);
  });

  test('the resilience policies are in each BFF\'s config path, as the breakers read them', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/shop/dev/bff-web/resilience.orders.timeoutMs', Value: String(bffWeb.resilience!.orders.timeoutMs) });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/shop/dev/bff-mobile/resilience.catalog.retries', Value: '0' });
  });

  test('flags: a hosted profile per BFF with a JSON-schema validator and its initial values, deployed gradually', () => {
    for (const spec of [bffWeb, bffMobile]) {
      const [profileId, profile] = Object.entries(template.findResources('AWS::AppConfig::ConfigurationProfile', { Properties: { Name: spec.name } }))[0];
      expect(profile.Properties.LocationUri).toBe('hosted');
      expect(profile.Properties.Type).toBe('AWS.Freeform');
      const schema = JSON.parse(profile.Properties.Validators[0].Content);
      expect(profile.Properties.Validators[0].Type).toBe('JSON_SCHEMA');
      expect(schema).toMatchObject({ type: 'object', required: Object.keys(spec.featureFlags!), additionalProperties: false });
      template.hasResourceProperties('AWS::AppConfig::HostedConfigurationVersion', { ConfigurationProfileId: { Ref: profileId }, Content: JSON.stringify(spec.featureFlags), ContentType: 'application/json' });
      template.hasResourceProperties('AWS::AppConfig::Deployment', { ConfigurationProfileId: { Ref: profileId } });
    }
    template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', { GrowthType: 'LINEAR', GrowthFactor: 20, DeploymentDurationInMinutes: 10, FinalBakeTimeInMinutes: 10 });
  });

  test('flags: a deployment rolls back on an alarm of failed invocations and degraded responses, which notifies an encrypted topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'shop-dev-bff-web-flag-rollback' } });
    const [alarmId, alarm] = Object.entries(alarms)[0];
    // The platform's alert topic, which every alarm of the platform notifies.
    const [topic] = logicalIds(template, 'AWS::SNS::Topic', { TopicName: 'shop-dev-alerts' });
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    const metrics = (alarm.Properties.Metrics as Resource[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
    expect(metrics).toEqual(expect.arrayContaining([
      { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'shop-dev-bff-web' }, { Name: 'Resource', Value: 'shop-dev-bff-web:live' }] },
      { Namespace: 'shop', MetricName: 'DegradedResponses', Dimensions: [{ Name: 'service', Value: 'bff-web' }] },
    ]));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const [environment] = Object.values(template.findResources('AWS::AppConfig::Environment'));
    expect(environment.Properties.Monitors).toEqual(expect.arrayContaining([expect.objectContaining({ AlarmArn: { 'Fn::GetAtt': [alarmId, 'Arn'] } })]));
    const roleId = (environment.Properties.Monitors[0].AlarmRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    expect(statementsOfRole(template, roleId)).toEqual([expect.objectContaining({ Action: 'cloudwatch:DescribeAlarms', Resource: expect.arrayContaining([{ 'Fn::GetAtt': [alarmId, 'Arn'] }]) })]);
  });

  test('Service Connect lets a call to a container service take what its container callers\' policies allow', () => {
    const recommender: ServiceSpec = { ...catalogService, name: 'recommender', routes: undefined, table: undefined, config: undefined, calls: ['catalog'], resilience: { catalog: { timeoutMs: 4200 } } };
    // Only the services this needs: the whole catalog and a caller exceed what one test stack may hold.
    const withCaller = platformTemplate([...demoCatalog.filter((spec) => spec.runtime === 'fargate'), recommender]).template;
    const serviceNamed = (t: Template, name: string) => Object.values(t.findResources('AWS::ECS::Service')).find((s) => s.Properties.ServiceName === name)!;
    expect(serviceNamed(withCaller, 'shop-dev-catalog').Properties.ServiceConnectConfiguration.Services[0].Timeout.PerRequestTimeoutSeconds).toBe(5);
    // Without container callers, the Lambda BFFs reach it at its load balancer and the default holds.
    expect(serviceNamed(template, 'shop-dev-catalog').Properties.ServiceConnectConfiguration.Services[0].Timeout.PerRequestTimeoutSeconds).toBe(15);
  });

  test('a BFF whose retry budget outlives its own timeout fails synth, naming the service and the field', () => {
    const greedy: ServiceSpec = { ...bffMobile, resilience: { ...bffMobile.resilience, orders: { timeoutMs: 2000, retries: 2, backoffMs: 200 } } };
    expect(() => platformTemplate(demoCatalog.map((spec) => (spec.name === 'bff-mobile' ? greedy : spec)))).toThrow(
      /service 'bff-mobile', field 'resilience': the call budgets \(orders 6600 ms \+ catalog 1000 ms.*add up to 8600 ms, longer than the caller's own timeout \(lambda.timeoutSeconds, 6000 ms\)/,
    );
  });

  test('FeatureFlags refuses to be made without flagged services, naming itself and the prop', () => {
    expect(() => new FeatureFlags(newStack(), 'Flags', { applicationName: 'x', environmentName: 'dev', metricsNamespace: 'x', services: [] })).toThrow(ConstructPropError);
    expect(() => new FeatureFlags(newStack(), 'Flags', { applicationName: 'x', environmentName: 'dev', metricsNamespace: 'x', services: [{ spec: { ...bffWeb, featureFlags: undefined } }] }))
      .toThrow("Test/Flags: prop 'services[bff-web]' declares no featureFlags");
  });
});
