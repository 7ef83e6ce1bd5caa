import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { DEV_PROFILE, type FargateServiceSpec, type ServiceSpec, addPlatformStacks } from 'msa-platform-blueprint';
import { planSeats } from '../../../constructs/containers/shared-load-balancer';
import { catalog } from '../../../services/catalog/service';
import { inventory } from '../../../services/inventory/service';
import { orders } from '../../../services/orders/service';
import { pricing } from '../../../services/pricing/service';
import { newApp } from '../helpers';

const names = (count: number, prefix = 'svc') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('planSeats', () => {
  test('each load balancer holds at most its share of services, and each service a port of its own there', () => {
    const seats = planSeats(names(60).map((name) => ({ name, inboundRules: 1 })));
    const byBalancer = new Map<number, number[]>();
    for (const seat of seats.values()) byBalancer.set(seat.loadBalancer, [...(byBalancer.get(seat.loadBalancer) ?? []), seat.port]);
    expect([...byBalancer.keys()].sort()).toEqual([0, 1, 2]);
    expect([...byBalancer.values()].map((ports) => ports.length)).toEqual([25, 25, 10]);
    for (const ports of byBalancer.values()) {
      expect(new Set(ports).size).toBe(ports.length);
      for (const port of ports) expect(port >= 10000 && port < 60000).toBe(true);
    }
  });

  test("moves to the next load balancer before its security group's inbound rules run out", () => {
    const seats = planSeats(names(4).map((name) => ({ name, inboundRules: 20 })), { inboundRulesPerLoadBalancer: 55 });
    expect([...seats.values()].map((s) => s.loadBalancer)).toEqual([0, 0, 1, 1]);
  });

  test("a service's port comes from its name, so adding another service leaves it where it was", () => {
    const before = planSeats(['orders', 'catalog', 'search'].map((name) => ({ name, inboundRules: 1 })));
    const after = planSeats(['orders', 'catalog', 'search', 'reviews'].map((name) => ({ name, inboundRules: 1 })));
    for (const name of ['orders', 'catalog', 'search']) expect(after.get(name)).toEqual(before.get(name));
  });

  test('names whose ports collide still get distinct ports (property over generated catalogs, in any order)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { minLength: 1, maxLength: 120 }), (serviceNames) => {
        const demand = serviceNames.map((name) => ({ name, inboundRules: 1 }));
        const seats = planSeats(demand, { servicesPerLoadBalancer: 50 });
        const reversed = planSeats([...demand].reverse(), { servicesPerLoadBalancer: 50 });
        expect([...seats.entries()].sort()).toEqual([...reversed.entries()].sort());
        const used = new Set([...seats.values()].map((s) => `${s.loadBalancer}:${s.port}`));
        expect(used.size).toBe(serviceNames.length);
      }),
      { numRuns: 100 },
    );
    // Enough names that some share a preferred port: all still distinct on their load balancer.
    const many = planSeats(names(3000, 'n').map((name) => ({ name, inboundRules: 0 })), { servicesPerLoadBalancer: 50, inboundRulesPerLoadBalancer: 55 });
    const perBalancer = new Map<number, Set<number>>();
    for (const seat of many.values()) perBalancer.set(seat.loadBalancer, (perBalancer.get(seat.loadBalancer) ?? new Set()).add(seat.port));
    expect([...perBalancer.values()].reduce((n, ports) => n + ports.size, 0)).toBe(3000);
  });

  test('refuses a service that alone needs more inbound rules than a load balancer takes, naming it', () => {
    expect(() => planSeats([{ name: 'popular', inboundRules: 80 }])).toThrow(/'popular' needs 80 inbound rules.*55/);
  });
});

describe('the fargate services of a platform share one internal load balancer', () => {
  // Two Fargate services, called by a Lambda service each, one of them routed at the edge.
  const search: FargateServiceSpec = { ...(catalog as FargateServiceSpec), name: 'search', routes: [], table: undefined };
  const services: ServiceSpec[] = [catalog, search, { ...orders, calls: ['catalog'] }, { ...inventory, calls: ['search'] }];
  const app = newApp();
  const stacks = addPlatformStacks(app, { platformName: 'acme', profile: DEV_PROFILE, services });
  const template = (name: string) => Template.fromStack(stacks.all.find((s) => s.stackName === name)!);
  const servicesStack = template('acme-dev-services');
  const catalogStack = template('acme-dev-service-catalog');
  const searchStack = template('acme-dev-service-search');

  test('one load balancer, in the services stack; none in a service stack', () => {
    expect(Object.keys(servicesStack.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).toHaveLength(1);
    for (const stack of stacks.all.filter((s) => s.stackName.startsWith('acme-dev-service-'))) {
      expect({ stack: stack.stackName, balancers: Object.keys(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')) }).toEqual({ stack: stack.stackName, balancers: [] });
    }
  });

  test('each service has a listener of its own on its own port, with its rule and target groups, in its own stack', () => {
    const catalogService = stacks.platform.fargateServices.get('catalog')!;
    const searchService = stacks.platform.fargateServices.get('search')!;
    expect(catalogService.listenerPort).not.toBe(searchService.listenerPort);
    for (const [stack, service] of [[catalogStack, catalogService], [searchStack, searchService]] as const) {
      const listeners = Object.values(stack.findResources('AWS::ElasticLoadBalancingV2::Listener'));
      expect(listeners.map((l) => l.Properties.Port)).toEqual([service.listenerPort]);
      expect(JSON.stringify(listeners[0].Properties.LoadBalancerArn)).toContain('Fn::ImportValue');
      expect(Object.keys(stack.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))).toHaveLength(1);
      expect(Object.keys(stack.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))).toHaveLength(2);
      expect(service.url).toMatch(new RegExp(`:${service.listenerPort}$`));
    }
  });

  test("each caller is admitted on its callee's port only, by a rule in the callee's stack", () => {
    const ingress = (stack: Template) => Object.values(stack.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties).filter((p) => JSON.stringify(p.GroupId).includes('ImportValue') && JSON.stringify(p.GroupId).includes('LoadBalancer'));
    const catalogPort = stacks.platform.fargateServices.get('catalog')!.listenerPort;
    const searchPort = stacks.platform.fargateServices.get('search')!.listenerPort;
    const catalogRules = ingress(catalogStack);
    const searchRules = ingress(searchStack);
    // catalog: the edge's VPC link and orders; search: inventory (it has no routes).
    expect(catalogRules.map((r) => [r.Description, r.FromPort, r.ToPort])).toEqual([['the edge gateway VPC link', catalogPort, catalogPort], ['calls from orders', catalogPort, catalogPort]]);
    expect(searchRules.map((r) => [r.Description, r.FromPort, r.ToPort])).toEqual([['calls from inventory', searchPort, searchPort]]);
  });

  test('the platform synthesizes (no cycle between the services stack and the service stacks)', () => {
    expect(() => app.synth()).not.toThrow();
  });
});

describe('fargate and kubernetes services share the same load balancer', () => {
  const app = newApp();
  const stacks = addPlatformStacks(app, { platformName: 'acme', profile: DEV_PROFILE, services: [catalog, pricing, orders] });
  const template = (name: string) => Template.fromStack(stacks.all.find((s) => s.stackName === name)!);

  test("one load balancer in the services stack; the cluster's routed services have a listener of their own on it, on another port than catalog's", () => {
    expect(Object.keys(template('acme-dev-services').findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).toHaveLength(1);
    const kubernetes = template('acme-dev-kubernetes');
    expect(Object.keys(kubernetes.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).toEqual([]);
    const clusterPort = stacks.platform.kubernetes!.loadBalancer!.port;
    expect(clusterPort).not.toBe(stacks.platform.fargateServices.get('catalog')!.listenerPort);
    const listeners = Object.values(kubernetes.findResources('AWS::ElasticLoadBalancingV2::Listener'));
    expect(listeners.map((l) => l.Properties.Port)).toEqual([clusterPort]);
    expect(stacks.platform.sharedLoadBalancers).toHaveLength(1);
  });
});
