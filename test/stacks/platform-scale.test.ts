import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEV_PROFILE, PROD_PROFILE, type PlatformProfile } from '../../constructs/profile';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { createPlatformApp } from '../../stacks/create-app';
import type { PlatformStacks } from '../../constructs/platform-stacks';
import { generateCatalog, generatedServiceName } from '../support/generated-catalog';

// Synth without bundling and without the gates (validation-gates.test.ts runs them on the demo). The
// CloudFormation schema check stays on: it refuses an empty stack, among others.
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
/** CloudFormation's limits on one stack. */
const LIMITS = { resources: 500, outputs: 200, templateBytes: 1024 * 1024 };

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface StackFigures {
  readonly name: string;
  readonly resources: number;
  readonly outputs: number;
  readonly templateBytes: number;
  readonly resourceTypes: readonly string[];
  /** The template as written. */
  readonly template: { readonly Resources?: Record<string, unknown> };
}

/** Synthesizes a catalog into a fresh directory and reads back each stack's figures, as CloudFormation would count them. */
function synthesize(services: readonly ServiceSpec[], profile: PlatformProfile = DEV_PROFILE): { stacks: PlatformStacks; figures: Map<string, StackFigures> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-'));
  tmpDirs.push(outdir);
  const { app, stacks } = createPlatformApp({ profile, outdir, services, gates: false, context: SKIP_BUNDLING });
  app.synth();
  const figures = new Map<string, StackFigures>();
  for (const stack of stacks.all) {
    const file = path.join(outdir, stack.templateFile);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const resources = Object.values<{ Type: string }>(template.Resources ?? {});
    figures.set(stack.stackName, {
      name: stack.stackName,
      resources: resources.length,
      outputs: Object.keys(template.Outputs ?? {}).length,
      templateBytes: fs.statSync(file).size,
      resourceTypes: resources.map((r) => r.Type),
      template,
    });
  }
  return { stacks, figures };
}

/** No stack is empty: every one holds a resource that is not CDK's own metadata. */
function expectNoEmptyStack(figures: Map<string, StackFigures>): void {
  for (const stack of figures.values()) {
    expect({ stack: stack.name, resources: stack.resourceTypes.filter((type) => type !== 'AWS::CDK::Metadata').length > 0 }).toEqual({ stack: stack.name, resources: true });
  }
}

describe('catalogs without a capability synthesize, with no empty stack', () => {
  test('no routes: no edge stacks at all', () => {
    const { stacks, figures } = synthesize(generateCatalog(6, { routes: false }));
    expect(stacks.platform.gateway).toBeUndefined();
    expect(stacks.edge).toBeUndefined();
    expect(stacks.edgeStage).toBeUndefined();
    expect([...figures.keys()].filter((name) => name.includes('-edge'))).toEqual([]);
    expectNoEmptyStack(figures);
  });

  test('no events: no bus, and no service subscribes to one', () => {
    const { stacks, figures } = synthesize(generateCatalog(6, { events: false }));
    expect(stacks.platform.events).toBeUndefined();
    expect(stacks.platform.eventConsumers.size).toBe(0);
    for (const stack of figures.values()) expect(stack.resourceTypes).not.toContain('AWS::Events::EventBus');
    expectNoEmptyStack(figures);
  });

  test('no Lambda services: containers only, on Fargate and Kubernetes', () => {
    const { stacks, figures } = synthesize(generateCatalog(6, { runtimes: ['fargate', 'kubernetes'] }));
    expect(stacks.platform.lambdaServices.size).toBe(0);
    expect(stacks.services).toBeDefined(); // the ECS cluster
    expect(stacks.kubernetes).toBeDefined();
    expect(stacks.edge).toBeDefined(); // the Fargate services' routes
    expectNoEmptyStack(figures);
  });

  test('Lambda services only, in prod (no fault experiments): nothing for the services to share, so no services stack', () => {
    const { stacks, figures } = synthesize(generateCatalog(6, { runtimes: ['lambda'] }), PROD_PROFILE);
    expect(stacks.services).toBeUndefined();
    expect(stacks.kubernetes).toBeUndefined();
    expect(stacks.sagas).toBeUndefined();
    expect([...figures.keys()].sort()).toEqual([
      'shop-prod-edge',
      'shop-prod-edge-stage',
      'shop-prod-network',
      'shop-prod-observability',
      ...generateCatalog(6).map((spec) => `shop-prod-service-${spec.name}`),
      'shop-prod-shared',
    ].sort());
    expectNoEmptyStack(figures);
  });
});

test('a service added to the catalog gets a stack of its own and moves nothing: every other stack keeps its resources', () => {
  const before = generateCatalog(8);
  // A new service between the others, with routes and events, consuming what svc-004 publishes.
  const added: ServiceSpec = { ...generateCatalog(1)[0], name: 'svc-004a', routes: [{ route: 'GET /svc-004a/items/{id}', frontEnds: ['web'] }], events: { consumes: ['Svc004Changed'] } } as ServiceSpec;
  const after = [...before.slice(0, 4), added, ...before.slice(4)];
  const logicalIds = (figures: Map<string, StackFigures>) => new Map([...figures].map(([name, stack]) => [name, Object.keys(stack.template.Resources ?? {})]));
  const was = logicalIds(synthesize(before).figures);
  const is = logicalIds(synthesize(after).figures);
  expect([...is.keys()].filter((name) => !was.has(name))).toEqual(['shop-dev-service-svc-004a']);
  for (const [name, ids] of was) {
    if (name === 'shop-dev-observability' || name === 'shop-dev-edge-stage') {
      // The new service's log subscription, and the new deployment of the routes, join these; nothing leaves them.
      expect({ name, kept: ids.every((id) => is.get(name)!.includes(id) || id.startsWith('Deployment')) }).toEqual({ name, kept: true });
    } else {
      expect({ name, ids: is.get(name)!.sort() }).toEqual({ name, ids: [...ids].sort() });
    }
  }
});

describe(`a generated catalog of 200 services (mixed runtimes, ${200 / 5} with routes, events on each)`, () => {
  let stacks: PlatformStacks;
  let figures: Map<string, StackFigures>;
  beforeAll(() => {
    ({ stacks, figures } = synthesize(generateCatalog(200)));
  }, 300_000);

  test('synthesizes with every stack inside CloudFormation\'s limits: 500 resources, 200 outputs, a 1 MB template', () => {
    // A stack per service, and the network, shared, services, edge, edge stage, kubernetes and observability stacks.
    expect(figures.size).toBe(200 + 7);
    const over = [...figures.values()].filter((s) => s.resources > LIMITS.resources || s.outputs > LIMITS.outputs || s.templateBytes > LIMITS.templateBytes);
    expect(over).toEqual([]);
  });

  test('each service has a stack of its own; the stacks of what the services share do not grow with the catalog, but for a repository per Fargate service, a shared load balancer per 25 container services, a log subscription per service log group and an overview page per 100 services', () => {
    expect([...stacks.serviceStacks.keys()]).toEqual(generateCatalog(200).map((spec) => spec.name));
    for (let index = 0; index < 200; index++) {
      expect(stacks.serviceStacks.get(generatedServiceName(index))!.stackName).toBe(`shop-dev-service-${generatedServiceName(index)}`);
    }
    const growing = ['AWS::ECR::Repository', 'AWS::Logs::SubscriptionFilter', 'AWS::CloudWatch::Dashboard', 'AWS::ElasticLoadBalancingV2::LoadBalancer'];
    const balancers = (stack: StackFigures) => stack.resourceTypes.filter((type) => type === 'AWS::ElasticLoadBalancingV2::LoadBalancer').length;
    // Each shared load balancer of the Fargate services comes with its security group.
    const fixedPart = (stack: StackFigures) => {
      let groupsToDrop = balancers(stack);
      return stack.resourceTypes.filter((type) => !growing.includes(type) && !(type === 'AWS::EC2::SecurityGroup' && groupsToDrop-- > 0)).sort();
    };
    const small = synthesize(generateCatalog(20)).figures;
    // One shared load balancer per 25 seats: a seat per Fargate service, and one for the cluster's routed services.
    for (const [catalogFigures, count] of [[figures, 200], [small, 20]] as const) {
      const generated = generateCatalog(count);
      const seats = generated.filter((spec) => spec.runtime === 'fargate').length + (generated.some((spec) => spec.runtime === 'kubernetes' && (spec.routes ?? []).length > 0) ? 1 : 0);
      expect({ count, balancers: balancers(catalogFigures.get('shop-dev-services')!) }).toEqual({ count, balancers: Math.ceil(seats / 25) });
    }
    for (const layer of ['network', 'shared', 'services', 'edge', 'edge-stage', 'kubernetes', 'observability']) {
      const name = `shop-dev-${layer}`;
      expect({ name, types: fixedPart(figures.get(name)!) }).toEqual({ name, types: fixedPart(small.get(name)!) });
    }
  });

  test('cross-stack references are strong: exports and imports, never stack-output lookups', () => {
    let imports = 0;
    for (const stack of figures.values()) {
      const text = JSON.stringify(stack.template);
      expect(text).not.toContain('Fn::GetStackOutput');
      imports += text.split('"Fn::ImportValue"').length - 1;
    }
    expect(imports).toBeGreaterThan(200);
  });
});
