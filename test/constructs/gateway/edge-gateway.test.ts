import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EdgeGateway, EdgeGatewayProps } from '../../../constructs/gateway/edge-gateway';
import { ConstructPropError } from '../../../constructs/model/errors';
import { MicroservicePlatform } from '../../../constructs/platform';
import { orders } from '../../../services/orders/service';
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
    [{ stageName: 'dev-1' }, 'stageName'],
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
