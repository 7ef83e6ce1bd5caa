import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type CostReport, costOf } from '../../../constructs/cost/cost-report';
import { IDLE_PRICING_RULES } from '../../../constructs/cost/idle-pricing';
import { type PriceTable, PriceTableError, US_EAST_1_PRICES, loadPriceTable, readPriceTable } from '../../../constructs/cost/price-table';
import { PlatformNetwork } from '../../../constructs/network/platform-network';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes what `build` puts in a bare stack into a fresh directory and returns that directory. */
function synthesize(build: (stack: Stack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-'));
  tmpDirs.push(outdir);
  const app = new App({ outdir });
  build(new Stack(app, 'Shop'));
  app.synth();
  return outdir;
}

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

/** A small platform: a VPC with one NAT gateway, an internal ALB in front of a Fargate service, a key, a dashboard, alarms, a function and an on-demand table. */
function smallPlatform(stack: Stack): void {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const balancer = new elbv2.ApplicationLoadBalancer(stack, 'Balancer', { vpc, internetFacing: false });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  task.addContainer('app', { image: IMAGE, memoryReservationMiB: 384, portMappings: [{ containerPort: 80 }] });
  task.addContainer('sidecar', { image: IMAGE, memoryReservationMiB: 128, essential: false });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, desiredCount: 2 });
  service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 4 });
  balancer.addListener('Http', { port: 80, open: false }).addTargets('Tasks', { port: 80, targets: [service] });
  new kms.Key(stack, 'Key');
  new cloudwatch.Dashboard(stack, 'Dashboard');
  const metric = (metricName: string, period = Duration.minutes(5)) => new cloudwatch.Metric({ namespace: 'Shop', metricName, period });
  new cloudwatch.Alarm(stack, 'Errors', { metric: metric('Errors'), threshold: 1, evaluationPeriods: 1 });
  new cloudwatch.Alarm(stack, 'Latency', { metric: metric('Latency', Duration.minutes(1)), threshold: 500, evaluationPeriods: 3 });
  new cloudwatch.Alarm(stack, 'ErrorRate', {
    metric: new cloudwatch.MathExpression({ expression: 'errors / requests', usingMetrics: { errors: metric('Errors'), requests: metric('Requests') } }),
    threshold: 0.05,
    evaluationPeriods: 1,
  });
  new cloudwatch.Alarm(stack, 'FastErrors', { metric: metric('Errors', Duration.seconds(10)), threshold: 1, evaluationPeriods: 1 });
  const fn = new lambda.Function(stack, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  fn.addAlias('live', { provisionedConcurrentExecutions: 2 });
  new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST });
}

const itemsOfType = (report: CostReport, type: string) => report.items.filter((item) => item.type === type);
const onlyItem = (report: CostReport, type: string) => {
  const items = itemsOfType(report, type);
  expect(items).toHaveLength(1);
  return items[0];
};

describe('costOf, on a small platform in a bare stack, against figures worked out by hand', () => {
  let report: CostReport;
  beforeAll(() => {
    report = costOf(synthesize(smallPlatform), { profile: 'small' });
  });

  test('labels the report and states the prices it used', () => {
    expect(report).toMatchObject({ profile: 'small', region: 'us-east-1', currency: 'USD', hoursPerMonth: 730, pricesAsOf: US_EAST_1_PRICES.pricesAsOf });
  });

  test('prices the NAT gateway by the hour and its Elastic IP as a public IPv4 address', () => {
    const nat = onlyItem(report, 'AWS::EC2::NatGateway');
    expect(nat.monthlyUsd).toBeCloseTo(32.85, 2); // 0.045 USD/h x 730 h
    expect(nat.basis).toBe('0.045 USD/h x 730 h');
    expect(nat.path).toBe('Shop/Vpc/PublicSubnet1/NATGateway');
    expect(onlyItem(report, 'AWS::EC2::EIP').monthlyUsd).toBeCloseTo(3.65, 2); // 0.005 USD/h x 730 h
  });

  test('prices the internal ALB by the hour, with no capacity units at idle', () => {
    expect(onlyItem(report, 'AWS::ElasticLoadBalancingV2::LoadBalancer').monthlyUsd).toBeCloseTo(16.425, 3); // 0.0225 USD/h x 730 h
  });

  test('prices the Fargate service at its scaling minimum, the task size holding the app and its sidecar', () => {
    const service = onlyItem(report, 'AWS::ECS::Service');
    // 2 tasks x (0.25 vCPU x 0.04048 + 0.5 GB x 0.004445) USD/h x 730 h, Linux/x86
    expect(service.monthlyUsd).toBeCloseTo(2 * (0.25 * 0.04048 + 0.5 * 0.004445) * 730, 3);
    expect(service.monthlyUsd).toBeCloseTo(18.02, 2);
    expect(service.basis).toContain('2 tasks (the scaling minimum)');
    expect(service.basis).toContain('app, sidecar');
  });

  test('prices the key, the dashboard and each alarm by its metrics and resolution', () => {
    expect(onlyItem(report, 'AWS::KMS::Key').monthlyUsd).toBe(1);
    expect(onlyItem(report, 'AWS::CloudWatch::Dashboard').monthlyUsd).toBe(3);
    const alarms = Object.fromEntries(itemsOfType(report, 'AWS::CloudWatch::Alarm').map((item) => [item.path.split('/')[1], item.monthlyUsd]));
    expect(alarms).toEqual({ Errors: 0.1, Latency: 0.1, ErrorRate: 0.2, FastErrors: 0.3 }); // metric math: 2 metrics; 10 s period: high resolution
  });

  test('prices provisioned concurrency on the alias, and nothing idle for the function and the on-demand table', () => {
    // 2 executions x 0.125 GB x 0.0000041667 USD per GB-second x 3600 s x 730 h
    expect(onlyItem(report, 'AWS::Lambda::Alias').monthlyUsd).toBeCloseTo(2.7375, 4);
    expect(itemsOfType(report, 'AWS::Lambda::Function')).toEqual([]);
    expect(itemsOfType(report, 'AWS::DynamoDB::Table')).toEqual([]);
  });

  test('totals the items, and nothing else', () => {
    expect(report.monthlyUsd).toBeCloseTo(32.85 + 3.65 + 16.425 + 18.02005 + 1 + 3 + 0.7 + 2.7375, 2);
    expect(report.items).toHaveLength(11);
    expect(report.monthlyUsd).toBeCloseTo(report.items.reduce((sum, item) => sum + item.monthlyUsd, 0), 6);
  });

  test('lists usage charges as unit prices apart from the idle cost', () => {
    const usage = (type: string, charge: string) => report.usagePrices.find((u) => u.type === type && u.charge === charge);
    expect(usage('AWS::Lambda::Function', 'requests')).toMatchObject({ usd: 0.2, per: '1M requests', source: 'https://aws.amazon.com/lambda/pricing/' });
    expect(usage('AWS::DynamoDB::Table', 'on-demand write request units')).toMatchObject({ usd: 0.625 });
    expect(usage('AWS::EC2::NatGateway', 'data processed')).toMatchObject({ usd: 0.045, per: 'GB' });
    expect(report.usagePrices.map((u) => u.type)).toContain('AWS::ElasticLoadBalancingV2::LoadBalancer');
  });

  test('lists free types nowhere, and finds no type it cannot classify', () => {
    const listed = new Set([...report.items.map((i) => i.type), ...report.usagePrices.map((u) => u.type)]);
    for (const free of ['AWS::IAM::Role', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup', 'AWS::ECS::TaskDefinition', 'AWS::ApplicationAutoScaling::ScalableTarget']) expect(listed.has(free)).toBe(false);
    expect(report.unknownTypes).toEqual([]);
    expect(report.unpriced).toEqual([]);
  });
});

describe('costOf, on what it cannot price', () => {
  test('lists a type the table does not classify instead of pricing it at 0', () => {
    const report = costOf(
      synthesize((stack) => {
        new CfnResource(stack, 'Cache', { type: 'AWS::ElastiCache::CacheCluster', properties: { CacheNodeType: 'cache.t4g.micro', Engine: 'valkey', NumCacheNodes: 1 } });
        new kms.Key(stack, 'Key');
      }),
    );
    expect(report.unknownTypes).toEqual(['AWS::ElastiCache::CacheCluster']);
    expect(report.items.map((item) => item.type)).toEqual(['AWS::KMS::Key']);
  });

  test('lists a resource of a priced type it cannot price, with the reason', () => {
    const report = costOf(
      synthesize((stack) => {
        new CfnResource(stack, 'Logs', { type: 'AWS::OpenSearchService::Domain', properties: { ClusterConfig: { InstanceType: 'i3.large.search', InstanceCount: 2 } } });
      }),
    );
    expect(report.items).toEqual([]);
    expect(report.unpriced).toEqual([{ path: 'Shop/Logs', type: 'AWS::OpenSearchService::Domain', reason: 'data nodes: instance type i3.large.search is not in the table' }]);
  });
});

describe('costOf, on EKS Auto Mode', () => {
  /** A cluster with Auto Mode, as the template writes it. */
  const autoModeCluster = (stack: Stack, id: string) =>
    new CfnResource(stack, id, {
      type: 'AWS::EKS::Cluster',
      properties: {
        RoleArn: 'arn:aws:iam::123456789012:role/eks',
        ResourcesVpcConfig: { SubnetIds: ['subnet-0123456789abcdef0'] },
        ComputeConfig: { Enabled: true, NodePools: ['general-purpose'] },
        KubernetesNetworkConfig: { ElasticLoadBalancing: { Enabled: true } },
        StorageConfig: { BlockStorage: { Enabled: true } },
      },
    });
  /** The manifest a kubectl custom resource applies: a deployment of 600m/1280Mi pods (sidecar included) with an autoscaler whose minimum is 3. */
  const manifest = (stack: Stack) =>
    new CfnResource(stack, 'Chart', {
      type: 'Custom::AWSCDK-EKS-KubernetesResource',
      properties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:kubectl',
        Manifest: JSON.stringify([
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'quotes', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '500m', memory: '1Gi' } } }], initContainers: [{ name: 'otel', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '256Mi' } } }] } } } },
          { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'quotes', namespace: 'shop' }, spec: { minReplicas: 3, maxReplicas: 6, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'quotes' } } },
        ]),
      },
    });

  test('prices the control plane and the cheapest nodes that hold the pods at their minimum, with the Auto Mode fee', () => {
    const report = costOf(
      synthesize((stack) => {
        autoModeCluster(stack, 'Cluster');
        manifest(stack);
      }),
    );
    expect(report.items.map((item) => [item.path, item.monthlyUsd])).toEqual([
      ['Shop/Cluster (control plane)', 73], // 0.1 USD/h x 730 h
      // 3 pods of 600m and 1280 MiB fit one c6a.large (2 vCPU, 4 GiB): (0.0765 + 12% of it) USD/h x 730 h; three c7a.medium cost more
      ['Shop/Cluster (Auto Mode nodes)', 62.5464],
    ]);
    expect(report.items[1].basis).toContain('1 x c6a.large');
    expect(report.items[1].basis).toContain('quotes 3 x 600m CPU/1280 MiB');
    expect(report.unpriced).toEqual([]);
  });

  test('prices no nodes when it cannot tell which of several Auto Mode clusters the pods run on, and says so', () => {
    const report = costOf(
      synthesize((stack) => {
        autoModeCluster(stack, 'Blue');
        autoModeCluster(stack, 'Green');
        manifest(stack);
      }),
    );
    expect(report.items.map((item) => item.path)).toEqual(['Shop/Blue (control plane)', 'Shop/Green (control plane)']);
    expect(report.unpriced.map((u) => u.path)).toEqual(['Shop/Blue', 'Shop/Green']);
  });
});

describe('price tables', () => {
  const natOnly = (stack: Stack) => {
    new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 1 });
  };

  /** The default table with the NAT gateway's hour changed, as another region's table would be. */
  function otherRegion(natHour: number): PriceTable {
    const idle = { ...US_EAST_1_PRICES.idle, 'AWS::EC2::NatGateway': { ...US_EAST_1_PRICES.idle['AWS::EC2::NatGateway'], rates: { hour: natHour } } };
    return { ...US_EAST_1_PRICES, region: 'eu-example-1', pricesAsOf: '2026-01-01', idle };
  }

  test('another region\'s table, read from a file, prices the same resources at its rates', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'prices-')), 'eu-example-1.json');
    tmpDirs.push(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify(otherRegion(0.05)));
    const report = costOf(synthesize(natOnly), { prices: readPriceTable(file), profile: 'eu' });
    expect(report).toMatchObject({ region: 'eu-example-1', pricesAsOf: '2026-01-01', profile: 'eu' });
    expect(onlyItem(report, 'AWS::EC2::NatGateway').monthlyUsd).toBeCloseTo(36.5, 2); // 0.05 USD/h x 730 h
  });

  test('a table that lacks a rate a pricing rule reads is refused, naming the rate', () => {
    const table = otherRegion(0.05);
    const broken = { ...table, idle: { ...table.idle, 'AWS::EC2::NatGateway': { source: 'vpc', rates: {} } } };
    expect(() => costOf(synthesize(natOnly), { prices: broken })).toThrow(/idle.AWS::EC2::NatGateway.rates.hour' is needed by the pricing rule/);
  });

  test('a table whose price names an unknown source is refused, naming the field', () => {
    const table = JSON.parse(JSON.stringify(US_EAST_1_PRICES));
    table.idle['AWS::KMS::Key'].source = 'nowhere';
    expect(() => loadPriceTable(table, 'test')).toThrow(PriceTableError);
    expect(() => loadPriceTable(table, 'test')).toThrow("price table test: 'idle.AWS::KMS::Key.source' names source 'nowhere'");
  });

  test('every idle type of the default table has a pricing rule, every rule a price, and every source a page', () => {
    expect(Object.keys(US_EAST_1_PRICES.idle).sort()).toEqual(Object.keys(IDLE_PRICING_RULES).sort());
    for (const source of Object.values(US_EAST_1_PRICES.sources)) expect(source.url).toMatch(/^https:\/\/aws\.amazon\.com\//);
  });
});

describe('costOf, on a NAT instance in place of the NAT gateway', () => {
  test('prices the instance by the hour, its public address and its gp3 root volume, worked out by hand', () => {
    const report = costOf(
      synthesize((stack) => {
        new PlatformNetwork(stack, 'Network', { natInstance: { instanceType: 't4g.nano', reason: 'a development environment tolerates losing egress for a while' } });
      }),
    );
    const parts = Object.fromEntries(report.items.filter((i) => i.type === 'AWS::EC2::Instance').map((i) => [i.path.replace(/^.*\((.*)\)$/, '$1'), i.monthlyUsd]));
    // t4g.nano 0.0042 USD/h x 730 h; public IPv4 0.005 USD/h x 730 h; 8 GB x 0.08 USD/GB-month.
    expect(parts).toEqual({ instance: expect.closeTo(3.066, 6), 'public IPv4 address': expect.closeTo(3.65, 6), 'volume /dev/xvda': expect.closeTo(0.64, 6) });
    expect(report.items.filter((i) => /NatGateway|EIP/.test(i.type))).toEqual([]);
    expect(report.unknownTypes).toEqual([]);
    expect(report.unpriced).toEqual([]);
  });
});
