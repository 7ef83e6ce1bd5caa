import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEV_PROFILE } from '../../constructs/profile';
import { createPlatformApp } from '../../stacks/create-app';
import type { PlatformStacks } from '../../constructs/platform-stacks';

// Bundling is skipped, so asset hashes come from construct ids and bundling options. Those options can
// carry machine-specific details, so asset hashes are replaced by a placeholder to keep snapshots portable.
const ASSET_HASH = /\b[0-9a-f]{64}\b/g;
const LAMBDA_VERSION_HASH = /(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g;

function normalized(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  // A Lambda version's logical id ends in a hash of the function's code and settings, so it follows the asset hash.
  return JSON.parse(json.replace(ASSET_HASH, '<asset-hash>').replace(LAMBDA_VERSION_HASH, '$1<version-hash>'));
}

let stacks: PlatformStacks;
beforeAll(() => {
  // No outdir: Template.fromStack synthesizes into a temp assembly; gates off (validation-gates.test.ts covers them).
  ({ stacks } = createPlatformApp({ profile: DEV_PROFILE, gates: false, context: { 'aws:cdk:bundling-stacks': [] } }));
});

test('the demo has a stack per lifecycle and one per service, each named for what it holds', () => {
  const layers = ['network', 'shared', 'services', 'edge', 'edge-stage', 'kubernetes', 'sagas', 'observability'];
  const services = ['orders', 'inventory', 'payments', 'catalog', 'pricing', 'bff-web', 'bff-mobile'];
  expect(stacks.all.map((stack) => stack.stackName).sort()).toEqual([...layers.map((layer) => `shop-dev-${layer}`), ...services.map((name) => `shop-dev-service-${name}`)].sort());
  expect([...stacks.serviceStacks.keys()]).toEqual(services);
});

test.each(['network', 'shared', 'services', 'edge', 'edge-stage', 'kubernetes', 'sagas', 'observability', 'service-orders', 'service-inventory', 'service-payments', 'service-catalog', 'service-pricing', 'service-bff-web', 'service-bff-mobile'])('dev %s stack matches its snapshot', (suffix) => {
  const stack = stacks.all.find((s) => s.stackName === `shop-dev-${suffix}`)!;
  const template = normalized(stack);
  const text = JSON.stringify(template);
  // Nothing machine- or time-specific may leak into the template.
  expect(text).not.toMatch(/\/(?:work|tmp|home|Users)\//);
  expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  expect(template).toMatchSnapshot();
});

function importsOf(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k === 'Fn::ImportValue' && typeof inner === 'string') found.push(inner);
        else walk(inner);
      }
    }
  };
  walk(value);
  return found;
}

const outputsOf = (template: Record<string, any>) => Object.values<{ Value: unknown; Export?: { Name: string } }>(template.Outputs ?? {});
const exportsOf = (template: Record<string, any>, value: unknown) => outputsOf(template).filter((o) => JSON.stringify(o.Value) === JSON.stringify(value)).map((o) => o.Export?.Name);
const idsOf = (template: Record<string, any>, type: string) => Object.entries<{ Type: string }>(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);

test('POST /orders is made in the orders stack on the API of the edge stack, integrating with the live alias beside it, which alone may invoke it', () => {
  const orders = Template.fromStack(stacks.serviceStacks.get('orders')!).toJSON();
  const edge = Template.fromStack(stacks.edge!).toJSON();
  const [alias] = idsOf(orders, 'AWS::Lambda::Alias');
  const [api] = idsOf(edge, 'AWS::ApiGateway::RestApi');
  const posts = Object.values<Record<string, any>>(orders.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'POST');
  expect(posts).toHaveLength(1);
  const integration = posts[0].Properties.Integration;
  expect(integration.Type).toBe('AWS_PROXY');
  expect(JSON.stringify(integration.Uri)).toContain(`{"Ref":"${alias}"}`);
  expect(importsOf(posts[0].Properties.RestApiId)).toEqual(exportsOf(edge, { Ref: api }));
  // The permission lives with the function, for this API's stage only.
  const permissions = Object.values<Record<string, any>>(orders.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'apigateway.amazonaws.com');
  expect(permissions.length).toBe(3);
  for (const permission of permissions) {
    expect(permission.Properties.FunctionName).toEqual({ Ref: alias });
    expect(importsOf(permission.Properties.SourceArn)).toEqual(exportsOf(edge, { Ref: api }));
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain('/dev/');
  }
  // No method, and no permission, is left in the edge stack.
  expect(idsOf(edge, 'AWS::ApiGateway::Method')).toEqual([]);
  expect(idsOf(edge, 'AWS::Lambda::Permission')).toEqual([]);
});

test('the stage deploys after every stack with routes, and no stack with routes depends on it', () => {
  const stage = stacks.edgeStage!;
  const withRoutes = [...stacks.serviceStacks].filter(([name]) => ['orders', 'inventory', 'catalog', 'bff-web', 'bff-mobile'].includes(name)).map(([, stack]) => stack);
  for (const stack of withRoutes) {
    expect(stage.dependencies).toContain(stack);
    expect(stack.dependencies).not.toContain(stage);
  }
  expect(stage.dependencies).toContain(stacks.edge);
  const template = Template.fromStack(stage);
  template.resourceCountIs('AWS::ApiGateway::Deployment', 1);
  template.resourceCountIs('AWS::ApiGateway::Stage', 1);
});

test("each service's function runs in subnets imported from the network stack", () => {
  const network = Template.fromStack(stacks.network).toJSON();
  const networkExports = new Set(outputsOf(network).map((o) => o.Export?.Name));
  let functions = 0;
  for (const stack of stacks.serviceStacks.values()) {
    const inVpc = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).filter(
      (r) => (r as { Properties: { VpcConfig?: unknown } }).Properties.VpcConfig !== undefined,
    ) as { Properties: { VpcConfig: { SubnetIds: unknown[] } } }[];
    for (const fn of inVpc) {
      functions++;
      const subnets = fn.Properties.VpcConfig.SubnetIds;
      expect(subnets).toHaveLength(DEV_PROFILE.maxAzs);
      for (const subnet of subnets) {
        const [name] = importsOf(subnet);
        expect(name).toMatch(new RegExp(`^${stacks.network.stackName}:`));
        expect(networkExports.has(name)).toBe(true);
      }
    }
  }
  expect(functions).toBeGreaterThanOrEqual(5);
});

test("GET /products goes through the VPC link of the shared stack to the catalog's listener on the services stack's shared load balancer", () => {
  const shared = Template.fromStack(stacks.shared).toJSON();
  const services = Template.fromStack(stacks.services!).toJSON();
  const catalog = Template.fromStack(stacks.serviceStacks.get('catalog')!).toJSON();
  expect(idsOf(catalog, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual([]);
  const [loadBalancer] = idsOf(services, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const port = stacks.platform.fargateServices.get('catalog')!.listenerPort;
  const [link] = idsOf(shared, 'AWS::ApiGatewayV2::VpcLink');
  expect(idsOf(catalog, 'AWS::ApiGatewayV2::VpcLink')).toEqual([]);
  const viaLink = Object.values<Record<string, any>>(catalog.Resources).filter((m) => m.Type === 'AWS::ApiGateway::Method' && m.Properties.Integration?.ConnectionType === 'VPC_LINK');
  expect(viaLink).toHaveLength(2);
  for (const method of viaLink) {
    const integration = method.Properties.Integration;
    expect(importsOf(integration.ConnectionId)).toEqual(exportsOf(shared, { Ref: link }));
    expect(importsOf(integration.IntegrationTarget)).toEqual(exportsOf(services, { Ref: loadBalancer }));
    const uri = integration.Uri['Fn::Join'][1] as unknown[];
    expect(importsOf(uri.find((part) => typeof part === 'object'))).toEqual(exportsOf(services, { 'Fn::GetAtt': [loadBalancer, 'DNSName'] }));
    expect(uri.filter((part) => typeof part === 'string').join('')).toMatch(new RegExp(`^http://:${port}/products`));
  }
  // The tasks run in the subnets of the network stack, on the cluster of the services stack, registered in the shared stack's namespace.
  const [service] = Object.values<Record<string, any>>(catalog.Resources).filter((r) => r.Type === 'AWS::ECS::Service');
  const subnets = service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets;
  expect(subnets).toHaveLength(DEV_PROFILE.maxAzs);
  for (const subnet of subnets) expect(importsOf(subnet)[0]).toMatch(new RegExp(`^${stacks.network.stackName}:`));
  expect(importsOf(service.Properties.Cluster)[0]).toMatch(new RegExp(`^${stacks.services!.stackName}:`));
  expect(importsOf(service.Properties.ServiceConnectConfiguration.Namespace)[0]).toMatch(new RegExp(`^${stacks.shared.stackName}:`));
});

test('the rules of the consumers (in their stacks) and of the saga trigger (in the sagas stack) listen on the bus exported by the shared stack', () => {
  const shared = Template.fromStack(stacks.shared).toJSON();
  const [bus] = idsOf(shared, 'AWS::Events::EventBus');
  const busExports = exportsOf(shared, { Ref: bus });
  expect(busExports).toHaveLength(1);
  const rulesOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as { Properties: { EventBusName: unknown; EventPattern: { 'detail-type': string[] } } }[];
  const consumers = rulesOf(stacks.serviceStacks.get('inventory')!);
  const saga = rulesOf(stacks.sagas!);
  expect(consumers.map((rule) => rule.Properties.EventPattern['detail-type'])).toEqual([['OrderConfirmed']]);
  expect(saga.map((rule) => rule.Properties.EventPattern['detail-type'])).toEqual([['OrderPlaced']]);
  for (const rule of [...consumers, ...saga]) expect(importsOf(rule.Properties.EventBusName)).toEqual(busExports);
});
