import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EdgeGateway, EdgeGatewayProps } from '../../../constructs/gateway/edge-gateway';
import { ConstructPropError } from '../../../constructs/model/errors';
import { MicroservicePlatform } from '../../../constructs/platform';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { DEV_PROFILE } from '../../../constructs/profile';
import { orders } from '../../../services/orders/service';
import { createPlatformApp } from '../../../stacks/create-app';
import type { PlatformStacks } from '../../../constructs/platform-stacks';
import { lambdaSpec } from '../model/fixtures/specs';
import { arnText, logicalIds, newStack } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { [key: string]: any };

describe('EdgeGateway (through MicroservicePlatform)', () => {
  let template: Template;
  let platform: MicroservicePlatform;
  let methods: Record<string, Resource>;
  let resourceServers: Record<string, Resource>;
  let ordersFn: string;
  let ordersAlias: string;

  /** `METHOD /path` of a method resource, from its resource chain. */
  function routeOf(method: Resource): string {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const parts: string[] = [];
    let ref = method.Properties.ResourceId?.Ref as string | undefined;
    while (ref && resources[ref]) {
      parts.unshift(resources[ref].Properties.PathPart);
      ref = resources[ref].Properties.ParentId?.Ref;
    }
    return `${method.Properties.HttpMethod} /${parts.join('/')}`;
  }
  const methodFor = (route: string) => {
    const found = Object.values(methods).filter((m) => routeOf(m) === route);
    expect(found).toHaveLength(1);
    return found[0];
  };
  /** A scope with the resource server Ref replaced by its identifier, as Cognito resolves it. */
  const scopeText = (scope: unknown): string => {
    if (typeof scope === 'string') return scope;
    const [sep, parts] = (scope as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map((p) => (typeof p === 'string' ? p : resourceServers[(p as { Ref: string }).Ref]?.Properties.Identifier ?? JSON.stringify(p))).join(sep);
  };

  beforeAll(() => {
    const stack = newStack();
    // One service, so every method and permission belongs to it.
    platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: [orders] });
    template = Template.fromStack(stack);
    methods = template.findResources('AWS::ApiGateway::Method');
    resourceServers = template.findResources('AWS::Cognito::UserPoolResourceServer');
    [ordersFn] = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: 'shop-dev-orders' });
    [ordersAlias] = logicalIds(template, 'AWS::Lambda::Alias', { Name: 'live', FunctionName: { Ref: ordersFn } });
  });

  test('serves exactly the routes of its services', () => {
    const routes = Object.values(methods).filter((m) => m.Properties.HttpMethod !== 'OPTIONS').map(routeOf).sort();
    expect(routes).toEqual(['GET /customers/{customerId}/orders', 'GET /orders/{id}', 'POST /orders']);
  });

  test('every method is behind the Cognito authorizer', () => {
    const [authorizer] = logicalIds(template, 'AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    expect(authorizer).toBeDefined();
    const guarded = Object.values(methods).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(guarded.length).toBeGreaterThan(0);
    for (const method of guarded) {
      expect(method.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(method.Properties.AuthorizerId).toEqual({ Ref: authorizer });
    }
  });

  test('writes need the write scope and reads the read scope', () => {
    expect(methodFor('POST /orders').Properties.AuthorizationScopes.map(scopeText)).toEqual(['shop/orders.write']);
    expect(methodFor('GET /orders/{id}').Properties.AuthorizationScopes.map(scopeText)).toEqual(['shop/orders.read']);
  });

  test('each route reaches its service\'s live alias (so canaries shift it) through a proxy integration', () => {
    for (const route of ['POST /orders', 'GET /orders/{id}']) {
      const integration = methodFor(route).Properties.Integration;
      expect(integration.Type).toBe('AWS_PROXY');
      expect(arnText(integration.Uri)).toContain(`\${${ordersAlias}}/invocations`);
    }
  });

  test('a route with a body schema has a request model and the validator; path parameters are required', () => {
    const [validator] = logicalIds(template, 'AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    const [model] = logicalIds(template, 'AWS::ApiGateway::Model');
    const post = methodFor('POST /orders').Properties;
    expect(post.RequestModels).toEqual({ 'application/json': { Ref: model } });
    expect(post.RequestValidatorId).toEqual({ Ref: validator });
    template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: Match.objectLike({ type: 'object' }) });
    const get = methodFor('GET /orders/{id}').Properties;
    expect(get.RequestParameters).toEqual({ 'method.request.path.id': true });
    expect(get.RequestValidatorId).toEqual({ Ref: validator });
  });

  test('the stage is traced, access-logged to an encrypted group and throttled with execution logging', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO', DataTraceEnabled: false, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ]),
    });
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    const destination = JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn);
    const groups = template.findResources('AWS::Logs::LogGroup');
    const accessLogGroups = Object.keys(groups).filter((id) => destination.includes(`"${id}"`));
    expect(accessLogGroups).toHaveLength(1);
    expect(groups[accessLogGroups[0]].Properties.KmsKeyId).toBeDefined();
  });

  test('a WAF web ACL with a per-IP rate limit guards the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RateLimitPerIp', Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } })]),
    });
    const [acl] = logicalIds(template, 'AWS::WAFv2::WebACL');
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: { 'Fn::GetAtt': [acl, 'Arn'] } });
  });

  test('API Gateway may invoke the live alias for each method, and only from this API', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }))
      .filter((p) => !/\/(web|mobile)\//.test(arnText(p.Properties.SourceArn)));
    const [api] = logicalIds(template, 'AWS::ApiGateway::RestApi');
    const sources = permissions.map((p) => arnText(p.Properties.SourceArn));
    for (const route of ['POST/orders', 'GET/orders/*']) {
      expect(sources.some((s) => s.endsWith(`/${route}`))).toBe(true);
    }
    for (const permission of permissions) {
      expect(permission.Properties.FunctionName).toEqual({ Ref: ordersAlias });
      expect(arnText(permission.Properties.SourceArn)).toContain(`\${${api}}`);
    }
  });

  test.each([
    [{ throttleRateLimit: 0 }, 'throttleRateLimit'],
    [{ throttleBurstLimit: 0 }, 'throttleBurstLimit'],
    [{ rateLimitPerIp: 5 }, 'rateLimitPerIp'],
    [{ stageName: 'dev.1' }, 'stageName'],
    [{ stageName: '' }, 'stageName'],
    [{ backends: [] }, 'backends'],
  ])('rejects %o, naming the prop', (bad, prop) => {
    const stack = new Stack(undefined, 'Edge');
    const handler = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:x');
    const props: EdgeGatewayProps = { apiName: 'shop-dev-edge', stageName: 'dev', identity: platform.identity, backends: [{ spec: orders, handler }], ...bad };
    let error: unknown;
    try {
      new EdgeGateway(stack, 'Gateway', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    expect((error as ConstructPropError).prop).toBe(prop);
    expect((error as Error).message).toMatch(new RegExp(`^Edge/Gateway: prop '${prop}'`));
  });
});

describe('EdgeGateway with each service\'s routes in its own stack (the platform split by service)', () => {
  const catalogWith = (quoteRoute: string): ServiceSpec[] => [
    lambdaSpec('ledger', { routes: [{ route: 'GET /accounts/{accountId}/ledger' }, { route: 'POST /accounts/{accountId}/ledger' }] }),
    lambdaSpec('statements', { routes: [{ route: 'GET /accounts/{accountId}/statements' }] }),
    lambdaSpec('quotes', { routes: [{ route: quoteRoute }] }),
  ];
  const synth = (quoteRoute = 'GET /quotes/{id}') => createPlatformApp({ profile: DEV_PROFILE, services: catalogWith(quoteRoute), gates: false, context: { 'aws:cdk:bundling-stacks': [] } }).stacks;
  let stacks: PlatformStacks;
  let edge: Record<string, Resource>;
  beforeAll(() => {
    stacks = synth();
    edge = Template.fromStack(stacks.edge!).toJSON();
  });
  const resourcesOf = (template: Record<string, Resource>, type: string) => Object.entries<Resource>(template.Resources).filter(([, r]) => r.Type === type);
  const exportOf = (value: unknown) => Object.values<Resource>(edge.Outputs ?? {}).find((o) => JSON.stringify(o.Value) === JSON.stringify(value))?.Export.Name;

  test('a path two services share is made once, in the edge stack; each service hangs its own paths from it', () => {
    const pathParts = resourcesOf(edge, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties.PathPart);
    expect(pathParts.sort()).toEqual(['accounts', '{accountId}']);
    const [accountId] = resourcesOf(edge, 'AWS::ApiGateway::Resource').filter(([, r]) => r.Properties.PathPart === '{accountId}').map(([id]) => id);
    for (const [service, part] of [['ledger', 'ledger'], ['statements', 'statements']]) {
      const own = Template.fromStack(stacks.serviceStacks.get(service)!).toJSON();
      const resources = resourcesOf(own, 'AWS::ApiGateway::Resource');
      expect(resources.map(([, r]) => r.Properties.PathPart)).toEqual([part]);
      expect(resources[0][1].Properties.ParentId).toEqual({ 'Fn::ImportValue': exportOf({ Ref: accountId }) });
    }
    // A path of one service alone is that service's.
    const quotes = Template.fromStack(stacks.serviceStacks.get('quotes')!).toJSON();
    expect(resourcesOf(quotes, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties.PathPart).sort()).toEqual(['quotes', '{id}']);
  });

  test('each method, and the permission to invoke its function from this API\'s stage, is in its service\'s stack', () => {
    expect(resourcesOf(edge, 'AWS::ApiGateway::Method')).toEqual([]);
    const [api] = resourcesOf(edge, 'AWS::ApiGateway::RestApi').map(([id]) => id);
    for (const [service, methods] of [['ledger', 2], ['statements', 1], ['quotes', 1]] as const) {
      const own = Template.fromStack(stacks.serviceStacks.get(service)!).toJSON();
      const [alias] = resourcesOf(own, 'AWS::Lambda::Alias').map(([id]) => id);
      expect(resourcesOf(own, 'AWS::ApiGateway::Method')).toHaveLength(methods);
      const permissions = resourcesOf(own, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com');
      expect(permissions).toHaveLength(methods);
      for (const [, permission] of permissions) {
        expect(permission.Properties.FunctionName).toEqual({ Ref: alias });
        expect(arnText(permission.Properties.SourceArn)).toContain(`${JSON.stringify({ 'Fn::ImportValue': exportOf({ Ref: api }) })}/dev/`);
      }
    }
  });

  test('the deployment follows every stack with routes, and is made anew when a route changes', () => {
    for (const stack of stacks.serviceStacks.values()) expect(stacks.edgeStage!.dependencies).toContain(stack);
    const deploymentId = (made: PlatformStacks) => logicalIds(Template.fromStack(made.edgeStage!), 'AWS::ApiGateway::Deployment');
    const first = deploymentId(stacks);
    expect(first).toHaveLength(1);
    expect(deploymentId(synth())).toEqual(first);
    expect(deploymentId(synth('GET /quotes/{id}/latest'))).not.toEqual(first);
  });

  test('refuses a stage in the gateway\'s own stack when routes are made in other stacks', () => {
    const app = newStack().node.scope as App;
    const platform = new MicroservicePlatform(new Stack(app, 'Identity'), 'Platform', { platformName: 'shop', services: [orders] });
    const edgeStack = new Stack(app, 'Edge');
    const handler = lambda.Function.fromFunctionArn(edgeStack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:x');
    const elsewhere = new Stack(app, 'Orders');
    expect(() => new EdgeGateway(edgeStack, 'Gateway', { apiName: 'shop-dev-edge', stageName: 'dev', identity: platform.identity, backends: [{ spec: orders, handler }], routeScope: () => elsewhere })).toThrow(
      /^Edge\/Gateway: prop 'stageScope' is in the gateway's stack Edge, but routes are made in other stacks \(Orders, \.\.\.\); the deployment must follow them/,
    );
  });
});

test("a profile named with a hyphen (eu-staging) names the edge's stage, and the platform synthesizes through the CloudFormation schema validator", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-stage-'));
  try {
    const { app, stacks } = createPlatformApp({ profile: { ...DEV_PROFILE, name: 'eu-staging' }, outdir, gates: false, context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => app.synth()).not.toThrow();
    const stage = Object.values(Template.fromStack(stacks.edgeStage!).findResources('AWS::ApiGateway::Stage'));
    expect(stage.map((s) => s.Properties.StageName)).toEqual(['eu-staging']);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
