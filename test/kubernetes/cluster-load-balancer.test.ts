import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterLoadBalancer, pathPatternOf } from '../../constructs/kubernetes/cluster-load-balancer';
import { ConstructPropError } from '../../constructs/model/errors';
import type { KubernetesServiceSpec } from '../../constructs/model/service-spec';
import { logicalIds, newStack } from '../constructs/helpers';

const service = (name: string, routes: string[], port = 8080): KubernetesServiceSpec => ({
  name,
  runtime: 'kubernetes',
  routes: routes.map((route) => ({ route })),
  container: { port, cpu: 100, memoryMiB: 128, healthCheckPath: '/health', dockerfileDirectory: '/unused', image: `registry.example.com/${name}:1.0.0` },
});

function build(...specs: KubernetesServiceSpec[]) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const pods = new ec2.SecurityGroup(stack, 'Pods', { vpc });
  const loadBalancer = new ClusterLoadBalancer(stack, 'LoadBalancer', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, clusterName: 'shop-dev', podSecurityGroup: pods });
  for (const spec of specs) loadBalancer.addService(spec);
  return { stack, vpc, pods, loadBalancer };
}

/** Each rule as `priority path methods -> service`, in priority order. */
function rulesOf(stack: Stack, loadBalancer: ClusterLoadBalancer): string[] {
  const serviceOf = new Map([...loadBalancer.targetGroups].map(([name, group]) => [stack.getLogicalId(group.node.defaultChild as never), name]));
  return Object.values(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))
    .map((rule) => {
      const condition = (field: string) => rule.Properties.Conditions.find((c: { Field: string }) => c.Field === field);
      const path = condition('path-pattern').PathPatternConfig.Values.join(',');
      const methods = condition('http-request-method').HttpRequestMethodConfig.Values.join(',');
      return { priority: rule.Properties.Priority as number, text: `${rule.Properties.Priority} ${path} ${methods} -> ${serviceOf.get(rule.Properties.Actions[0].TargetGroupArn.Ref)}` };
    })
    .sort((a, b) => a.priority - b.priority)
    .map((rule) => rule.text);
}

test("a route's path becomes a path pattern with a wildcard for each parameter", () => {
  expect(pathPatternOf('/ratings/{productId}/stars')).toBe('/ratings/*/stars');
  expect(pathPatternOf('/pricing/quotes')).toBe('/pricing/quotes');
});

test('rules go most specific first, whatever the order the services were added in: a literal path of one service wins over a parameter of another', () => {
  const { stack, loadBalancer } = build(service('ratings', ['GET /ratings/{productId}', 'PUT /ratings/{productId}/stars']), service('charts', ['GET /ratings/top'], 3000));
  expect(rulesOf(stack, loadBalancer)).toEqual([
    '1 /ratings/top GET -> charts',
    '2 /ratings/*/stars PUT -> ratings',
    '3 /ratings/* GET -> ratings',
  ]);
});

test('one path served by two services, each for its own methods, gets a rule per service with its methods', () => {
  const { stack, loadBalancer } = build(service('orders', ['GET /orders', 'POST /orders']), service('audits', ['DELETE /orders'], 3000));
  expect(rulesOf(stack, loadBalancer)).toEqual(['1 /orders DELETE -> audits', '2 /orders GET,POST -> orders']);
});

test('more methods on a path than a rule can hold beside it are split over two rules', () => {
  const { stack, loadBalancer } = build(service('items', ['GET /items', 'POST /items', 'PUT /items', 'PATCH /items', 'DELETE /items']));
  // A rule takes five condition values, the path pattern being one.
  expect(rulesOf(stack, loadBalancer)).toEqual(['1 /items DELETE -> items', '2 /items GET,POST,PUT,PATCH -> items']);
});

test('each target group takes pod IPs on its container port and is tagged with the cluster name; the pods admit the load balancer on those ports only', () => {
  const { stack, pods } = build(service('ratings', ['GET /ratings/{productId}']), service('charts', ['GET /charts'], 3000));
  const template = Template.fromStack(stack);
  for (const port of [8080, 3000]) {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: port, TargetType: 'ip', Tags: Match.arrayWith([{ Key: 'eks:eks-cluster-name', Value: 'shop-dev' }]) });
  }
  const podGroup = stack.getLogicalId(pods.node.defaultChild as never);
  const [lbGroup] = logicalIds(template, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('internal load balancer') });
  const intoPods = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: { 'Fn::GetAtt': [podGroup, 'GroupId'] } } }));
  expect(intoPods.map((r) => [r.Properties.SourceSecurityGroupId, r.Properties.FromPort]).sort()).toEqual([[{ 'Fn::GetAtt': [lbGroup, 'GroupId'] }, 3000], [{ 'Fn::GetAtt': [lbGroup, 'GroupId'] }, 8080]]);
  // Nothing reaches the listener until allowFrom.
  template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { GroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] } }, 0);
});

test('allowFrom admits a peer on the listener port', () => {
  const { stack, vpc, loadBalancer } = build(service('ratings', ['GET /ratings/{productId}']));
  const caller = new ec2.SecurityGroup(stack, 'Caller', { vpc });
  loadBalancer.allowFrom(caller, 'calls from a test');
  const template = Template.fromStack(stack);
  const [lbGroup] = logicalIds(template, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('internal load balancer') });
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(caller.node.defaultChild as never), 'GroupId'] }, FromPort: 80, ToPort: 80 });
});

describe('refuses', () => {
  const attempt = (...specs: KubernetesServiceSpec[]) => {
    try {
      build(...specs);
    } catch (error) {
      return error as Error;
    }
    return undefined;
  };

  test('a service without routes', () => {
    const error = attempt(service('worker', []));
    expect(error).toBeInstanceOf(ConstructPropError);
    expect(error!.message).toMatch(/^Test\/LoadBalancer: prop 'spec.routes' of 'worker' are empty/);
  });

  test('a service without container settings', () => {
    expect(attempt({ ...service('ratings', ['GET /ratings']), container: undefined } as never)!.message).toMatch(/^Test\/LoadBalancer: prop 'spec' of 'ratings' has no container settings/);
  });

  test('a route that does not parse', () => {
    expect(attempt(service('ratings', ['FETCH /ratings']))!.message).toMatch(/^Test\/LoadBalancer: prop 'spec.routes' of 'ratings': 'FETCH \/ratings' uses method FETCH/);
  });

  test('the same service twice', () => {
    expect(attempt(service('ratings', ['GET /ratings']), service('ratings', ['GET /ratings']))!.message).toMatch(/^Test\/LoadBalancer: prop 'spec' 'ratings' is already behind the load balancer/);
  });
});
