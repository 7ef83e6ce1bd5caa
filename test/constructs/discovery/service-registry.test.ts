import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ServiceRegistry } from '../../../constructs/discovery/service-registry';
import { asList, logicalIds, newStack, statementsOfRole } from '../helpers';

describe('ServiceRegistry', () => {
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
    const registry = new ServiceRegistry(stack, 'Registry', { vpc, httpNamespaceName: 'shop-dev', dnsNamespaceName: 'dev.shop.internal' });
    const owner = new Construct(stack, 'Orders');
    registry.registerService(owner, 'Registration', { serviceName: 'orders', attributes: { runtime: 'lambda', functionName: 'shop-dev-orders' } });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    registry.grantDiscover(role);
    template = Template.fromStack(stack);
  });

  test('makes an HTTP namespace and a private DNS namespace in the VPC', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'shop-dev' });
    const [vpc] = logicalIds(template, 'AWS::EC2::VPC');
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'dev.shop.internal', Vpc: { Ref: vpc } });
  });

  test('registerService makes a Cloud Map service in the HTTP namespace with one instance carrying the attributes', () => {
    const [namespace] = logicalIds(template, 'AWS::ServiceDiscovery::HttpNamespace');
    const [service] = logicalIds(template, 'AWS::ServiceDiscovery::Service', { Name: 'orders' });
    expect(template.findResources('AWS::ServiceDiscovery::Service')[service].Properties.NamespaceId).toEqual({ 'Fn::GetAtt': [namespace, 'Id'] });
    template.resourceCountIs('AWS::ServiceDiscovery::Instance', 1);
    template.hasResourceProperties('AWS::ServiceDiscovery::Instance', {
      InstanceId: 'orders-1',
      ServiceId: { 'Fn::GetAtt': [service, 'Id'] },
      InstanceAttributes: { runtime: 'lambda', functionName: 'shop-dev-orders' },
    });
  });

  test('grantDiscover is held to the HTTP namespace by a NamespaceName condition', () => {
    const [role] = logicalIds(template, 'AWS::IAM::Role');
    const statements = statementsOfRole(template, role);
    const discover = statements.filter((s) => asList(s.Action).includes('servicediscovery:DiscoverInstances'));
    expect(discover).toHaveLength(1);
    expect(discover[0].Condition).toEqual({ StringEquals: { 'servicediscovery:NamespaceName': stack.resolve('shop-dev') } });
    // Nothing but discovery.
    expect(statements.flatMap((s) => asList(s.Action)).every((a) => a.startsWith('servicediscovery:Discover'))).toBe(true);
  });

  test('registerService rejects an instance without attributes', () => {
    const s = newStack();
    const registry = new ServiceRegistry(s, 'R', { vpc: new ec2.Vpc(s, 'V', { natGateways: 0 }), httpNamespaceName: 'shop-dev', dnsNamespaceName: 'dev.shop.internal' });
    expect(() => registry.registerService(s, 'Svc', { serviceName: 'x', attributes: {} })).toThrow(/prop 'attributes' has 0 entries/);
  });

  test.each([
    [{ httpNamespaceName: 'shop dev', dnsNamespaceName: 'dev.shop.internal' }, 'httpNamespaceName'],
    [{ httpNamespaceName: '-shop', dnsNamespaceName: 'dev.shop.internal' }, 'httpNamespaceName'],
    [{ httpNamespaceName: 'shop-dev', dnsNamespaceName: 'internal' }, 'dnsNamespaceName'],
    [{ httpNamespaceName: 'shop-dev', dnsNamespaceName: 'Dev.Shop.internal' }, 'dnsNamespaceName'],
  ])('rejects bad namespace names %o', (names, prop) => {
    const s = newStack('Bad');
    const vpc = new ec2.Vpc(s, 'V', { natGateways: 0 });
    expect(() => new ServiceRegistry(s, 'Registry', { vpc, ...names })).toThrow(new RegExp(`^Bad/Registry: prop '${prop}'`));
  });
});
