import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEV_PROFILE } from '../../constructs/profile';
import { createPlatformApp } from '../../stacks/create-app';
import type { PlatformStacks } from '../../stacks/platform-stacks';

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

test.each(['network', 'shared', 'services', 'edge', 'kubernetes', 'observability'] as const)('dev %s stack matches its snapshot', (layer) => {
  const template = normalized(stacks[layer]!);
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

test('POST /orders at the edge integrates with the live alias of the orders function, exported by the services stack', () => {
  const services = Template.fromStack(stacks.services).toJSON();
  const aliasIds = Object.entries<{ Type: string }>(services.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Alias')
    .map(([id]) => id)
    .filter((id) => id.startsWith('orders'));
  expect(aliasIds).toHaveLength(1);
  const exportNames = Object.values<{ Value: unknown; Export?: { Name: string } }>(services.Outputs ?? {})
    .filter((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: aliasIds[0] }))
    .map((o) => o.Export?.Name);
  expect(exportNames).toHaveLength(1);

  const edge = Template.fromStack(stacks.edge);
  const posts = edge.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } });
  const postOrders = Object.entries(posts).filter(([id]) => /orders/i.test(id));
  expect(postOrders).toHaveLength(1);
  const integration = (postOrders[0][1] as { Properties: { Integration: { Type: string; Uri: unknown } } }).Properties.Integration;
  expect(integration.Type).toBe('AWS_PROXY');
  expect(importsOf(integration.Uri)).toEqual([exportNames[0]]);
  expect(exportNames[0]).toMatch(new RegExp(`^${stacks.services.stackName}:`));
});

test("the services stack's function runs in subnets imported from the network stack", () => {
  const services = Template.fromStack(stacks.services);
  const functions = Object.values(services.findResources('AWS::Lambda::Function')).filter(
    (r) => (r as { Properties: { VpcConfig?: unknown } }).Properties.VpcConfig !== undefined,
  ) as { Properties: { VpcConfig: { SubnetIds: unknown[] } } }[];
  expect(functions.length).toBeGreaterThan(0);
  const network = Template.fromStack(stacks.network).toJSON();
  const networkExports = new Set(Object.values<{ Export?: { Name: string } }>(network.Outputs ?? {}).map((o) => o.Export?.Name));
  for (const fn of functions) {
    const subnets = fn.Properties.VpcConfig.SubnetIds;
    expect(subnets).toHaveLength(DEV_PROFILE.maxAzs);
    for (const subnet of subnets) {
      const [name] = importsOf(subnet);
      expect(name).toMatch(new RegExp(`^${stacks.network.stackName}:`));
      expect(networkExports.has(name)).toBe(true);
    }
  }
});

test('GET /products at the edge goes through the VPC link exported by the shared stack to the catalog load balancer exported by the services stack', () => {
  const exportsOf = (stack: Stack) => {
    const template = Template.fromStack(stack).toJSON();
    const idsOf = (type: string) => Object.entries<{ Type: string }>(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
    const exportOf = (value: unknown) =>
      Object.values<{ Value: unknown; Export?: { Name: string } }>(template.Outputs ?? {}).filter((o) => JSON.stringify(o.Value) === JSON.stringify(value)).map((o) => o.Export?.Name);
    return { idsOf, exportOf };
  };
  const services = exportsOf(stacks.services);
  const shared = exportsOf(stacks.shared);
  const [loadBalancer] = services.idsOf('AWS::ElasticLoadBalancingV2::LoadBalancer');
  const [link] = shared.idsOf('AWS::ApiGatewayV2::VpcLink');
  expect(services.idsOf('AWS::ApiGatewayV2::VpcLink')).toEqual([]);

  const edge = Template.fromStack(stacks.edge);
  const viaLink = Object.values(edge.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.Integration?.ConnectionType === 'VPC_LINK' && JSON.stringify(m.Properties.Integration.Uri).includes('/products'));
  expect(viaLink).toHaveLength(2);
  for (const method of viaLink) {
    const integration = method.Properties.Integration;
    expect(importsOf(integration.ConnectionId)).toEqual(shared.exportOf({ Ref: link }));
    expect(importsOf(integration.IntegrationTarget)).toEqual(services.exportOf({ Ref: loadBalancer }));
    expect(importsOf(integration.Uri)).toEqual(services.exportOf({ 'Fn::GetAtt': [loadBalancer, 'DNSName'] }));
  }
  // The tasks run in the subnets of the network stack, and the catalog is registered in the shared stack's namespace.
  const [service] = Object.values(Template.fromStack(stacks.services).findResources('AWS::ECS::Service'));
  const subnets = service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets;
  expect(subnets).toHaveLength(DEV_PROFILE.maxAzs);
  for (const subnet of subnets) expect(importsOf(subnet)[0]).toMatch(new RegExp(`^${stacks.network.stackName}:`));
  expect(importsOf(service.Properties.ServiceConnectConfiguration.Namespace)[0]).toMatch(new RegExp(`^${stacks.shared.stackName}:`));
});

test('the rules in the services stack (consumers, saga trigger) listen on the bus exported by the shared stack', () => {
  const shared = Template.fromStack(stacks.shared).toJSON();
  const [bus] = Object.entries<{ Type: string }>(shared.Resources).filter(([, r]) => r.Type === 'AWS::Events::EventBus').map(([id]) => id);
  const busExports = Object.values<{ Value: unknown; Export?: { Name: string } }>(shared.Outputs ?? {})
    .filter((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: bus }))
    .map((o) => o.Export?.Name);
  expect(busExports).toHaveLength(1);
  const rules = Object.values(Template.fromStack(stacks.services).findResources('AWS::Events::Rule')) as { Properties: { EventBusName: unknown; EventPattern: { 'detail-type': string[] } } }[];
  expect(rules.map((rule) => rule.Properties.EventPattern['detail-type']).sort()).toEqual([['OrderConfirmed'], ['OrderPlaced']]);
  for (const rule of rules) expect(importsOf(rule.Properties.EventBusName)).toEqual(busExports);
});
