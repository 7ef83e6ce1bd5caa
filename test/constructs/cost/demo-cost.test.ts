import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CostReport, costOf } from '../../../constructs/cost/cost-report';
import { US_EAST_1_PRICES } from '../../../constructs/cost/price-table';
import { DEV_PROFILE, PROD_PROFILE, type PlatformProfile } from '../../../constructs/profile';
import { catalog } from '../../../services';
import { createPlatformApp } from '../../../stacks/create-app';

// The demo through costOf: every resource type classified, and the prices of what the profiles
// decide (NAT gateways, the log domain, the Fargate minimum, the cluster) follow from the profile
// and the table, not from figures copied out of a report.
const prices = US_EAST_1_PRICES;
const HOURS = prices.hoursPerMonth;
const rate = (type: string, name: string) => prices.idle[type].rates[name];

interface Synthesized {
  readonly report: CostReport;
  readonly types: ReadonlySet<string>;
  readonly count: (type: string) => number;
}

const tmpDirs: string[] = [];
const synthesized = new Map<string, Synthesized>();

function synthesize(profile: PlatformProfile): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `demo-cost-${profile.name}-`));
  tmpDirs.push(outdir);
  const { app } = createPlatformApp({ profile, outdir, gates: false, context: { 'aws:cdk:bundling-stacks': [] } });
  app.synth();
  const resources = fs
    .readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .flatMap((file) => Object.values<{ Type: string }>(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')).Resources ?? {}));
  return {
    report: costOf(outdir, { profile: profile.name }),
    types: new Set(resources.map((r) => r.Type)),
    count: (type) => resources.filter((r) => r.Type === type).length,
  };
}

beforeAll(() => {
  for (const profile of [DEV_PROFILE, PROD_PROFILE]) synthesized.set(profile.name, synthesize(profile));
}, 240_000);
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const items = (report: CostReport, type: string, part?: string) => report.items.filter((item) => item.type === type && (part === undefined || item.path.endsWith(`(${part})`)));

describe.each([DEV_PROFILE, PROD_PROFILE])('the demo platform ($name): its cost report', (profile) => {
  const demo = () => synthesized.get(profile.name)!;

  test('classifies every resource type of every template as priced, usage or free', () => {
    const unclassified = [...demo().types].filter((type) => !(type in prices.idle) && !(type in prices.usage) && !(type in prices.free) && !type.startsWith('Custom::'));
    expect(unclassified).toEqual([]);
    expect(demo().report.unknownTypes).toEqual([]);
    expect(demo().report.unpriced).toEqual([]);
  });

  test("prices each of the profile's NAT gateways and its Elastic IP, or each NAT instance with its address and root volume, by the hour", () => {
    const { report } = demo();
    const nat = items(report, 'AWS::EC2::NatGateway');
    const addresses = items(report, 'AWS::EC2::EIP');
    const natInstance = profile.natInstance;
    if (natInstance === undefined) {
      expect(nat).toHaveLength(profile.natGateways);
      for (const item of nat) expect(item.monthlyUsd).toBeCloseTo(rate('AWS::EC2::NatGateway', 'hour') * HOURS, 4);
      expect(addresses).toHaveLength(profile.natGateways);
      for (const item of addresses) expect(item.monthlyUsd).toBeCloseTo(rate('AWS::EC2::EIP', 'hour') * HOURS, 4);
      return;
    }
    expect(nat).toEqual([]);
    expect(addresses).toEqual([]);
    const entry = prices.idle['AWS::EC2::Instance'];
    const instances = items(report, 'AWS::EC2::Instance', 'instance');
    expect(instances).toHaveLength(profile.natGateways);
    for (const item of instances) expect(item.monthlyUsd).toBeCloseTo(entry.instances![natInstance.instanceType] * HOURS, 4);
    expect(items(report, 'AWS::EC2::Instance', 'public IPv4 address').map((i) => i.monthlyUsd)).toEqual(instances.map(() => expect.closeTo(entry.rates.publicIpv4Hour * HOURS, 4)));
    expect(items(report, 'AWS::EC2::Instance', 'volume /dev/xvda').map((i) => i.monthlyUsd)).toEqual(instances.map(() => expect.closeTo(8 * entry.rates.gp3GbMonth, 4)));
  });

  test("prices the log domain's nodes and storage from the profile's log search capacity", () => {
    const { report } = demo();
    const search = profile.logSearch;
    const instances = prices.idle['AWS::OpenSearchService::Domain'].instances!;
    const [data] = items(report, 'AWS::OpenSearchService::Domain', 'data nodes');
    expect(data.monthlyUsd).toBeCloseTo(search.dataNodes * instances[search.dataNodeInstanceType] * HOURS, 4);
    const masters = items(report, 'AWS::OpenSearchService::Domain', 'dedicated masters');
    expect(masters.map((m) => m.monthlyUsd)).toEqual(search.dedicatedMasterNodes > 0 ? [expect.closeTo(search.dedicatedMasterNodes * instances[search.masterNodeInstanceType!] * HOURS, 4)] : []);
    const [storage] = items(report, 'AWS::OpenSearchService::Domain', 'EBS storage');
    expect(storage.monthlyUsd).toBeCloseTo(search.volumeSizeGiB * search.dataNodes * rate('AWS::OpenSearchService::Domain', 'gp3GbMonth'), 4);
  });

  test("prices each Fargate service's tasks at its spec's scaling minimum and size, on Arm", () => {
    const fargate = catalog.filter((spec) => spec.runtime === 'fargate');
    const services = items(demo().report, 'AWS::ECS::Service');
    expect(services).toHaveLength(fargate.length);
    for (const spec of fargate) {
      const item = services.find((s) => s.path.includes(`-service-${spec.name}/`))!;
      const perTask = (spec.container.cpu / 1024) * rate('AWS::ECS::Service', 'armVcpuHour') + (spec.container.memoryMiB / 1024) * rate('AWS::ECS::Service', 'armGbHour');
      expect(item.monthlyUsd).toBeCloseTo(spec.scaling!.min! * perTask * HOURS, 4);
    }
  });

  test("prices the cluster's control plane, and Auto Mode nodes for the kubernetes services' pods", () => {
    const { report } = demo();
    expect(items(report, 'AWS::EKS::Cluster', 'control plane').map((i) => i.monthlyUsd)).toEqual([rate('AWS::EKS::Cluster', 'hour') * HOURS]);
    const [nodes] = items(report, 'AWS::EKS::Cluster', 'Auto Mode nodes');
    expect(nodes.monthlyUsd).toBeGreaterThan(0);
    for (const spec of catalog.filter((s) => s.runtime === 'kubernetes')) expect(nodes.basis).toContain(`${spec.name} ${spec.scaling!.min} x`);
  });

  test('prices one item per customer managed key, dashboard and load balancer of the templates', () => {
    const { report, count } = demo();
    for (const type of ['AWS::KMS::Key', 'AWS::CloudWatch::Dashboard', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::WAFv2::WebACL']) {
      expect({ type, items: items(report, type).length }).toEqual({ type, items: count(type) });
    }
  });

  test('totals its items, and lists the unit prices of its usage charges', () => {
    const { report } = demo();
    expect(report.monthlyUsd).toBeCloseTo(report.items.reduce((sum, item) => sum + item.monthlyUsd, 0), 4);
    for (const type of ['AWS::Lambda::Function', 'AWS::ApiGateway::RestApi', 'AWS::DynamoDB::Table', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue']) expect(report.usagePrices.map((u) => u.type)).toContain(type);
  });
});

test('prod, highly available, costs more idle than cost-lean dev', () => {
  expect(synthesized.get('prod')!.report.monthlyUsd).toBeGreaterThan(synthesized.get('dev')!.report.monthlyUsd);
});
