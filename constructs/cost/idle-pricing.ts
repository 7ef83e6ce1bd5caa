/**
 * The pricing rule of each resource type that costs money while idle: which rates of the price
 * table it reads, and how it turns a resource of a synthesized template into monthly items.
 */
import type { NodeDemand } from './kubernetes-nodes';
import { cheapestNodes } from './kubernetes-nodes';
import type { IdlePrice, PriceTable } from './price-table';

type Json = Record<string, any>;

/** A resource of a synthesized template, with the template it sits in. */
export interface TemplateResource {
  /** Its logical ID. */
  readonly logicalId: string;
  /** Its CloudFormation type. */
  readonly type: string;
  /** Its properties as written (intrinsic functions unresolved). */
  readonly properties: Json;
  /** Every resource of its template, by logical ID. */
  readonly siblings: Readonly<Record<string, { readonly Type: string; readonly Properties?: Json }>>;
}

/** What the rules share: the table, the hours in a month, and what the kubernetes manifests ask of the nodes. */
export interface PricingContext {
  /** The price table. */
  readonly table: PriceTable;
  /** The pods of every kubernetes manifest in the assembly, at their minimum. */
  readonly kubernetes: NodeDemand;
}

/** One priced line of a resource. */
export interface PricedLine {
  /** What part of the resource, when it has several lines (e.g. `data nodes`). @default - the resource itself */
  readonly part?: string;
  /** USD a month. */
  readonly monthlyUsd: number;
  /** How it was computed. */
  readonly basis: string;
}

/** What a rule found for one resource: its lines (none when it costs nothing idle) and what it could not price. */
export interface RuleResult {
  /** Its priced lines. */
  readonly lines: readonly PricedLine[];
  /** Why a part could not be priced. */
  readonly unpriced: readonly string[];
}

/** The pricing rule of one resource type. */
export interface IdlePricingRule {
  /** Rates the rule reads from the type's table entry. */
  readonly rates: readonly string[];
  /** Prices one resource. */
  price(resource: TemplateResource, price: IdlePrice, context: PricingContext): RuleResult;
}

/** A number as written in a basis: at most six significant digits, no trailing zeros. */
export function formatUsd(value: number): string {
  return String(Number(value.toPrecision(6)));
}

const lines = (...priced: PricedLine[]): RuleResult => ({ lines: priced, unpriced: [] });
const none: RuleResult = { lines: [], unpriced: [] };
const cannot = (reason: string): RuleResult => ({ lines: [], unpriced: [reason] });

/** A flat hourly rate for the whole month. */
function hourly(rate: string, what = ''): IdlePricingRule {
  return {
    rates: [rate],
    price: (_resource, price, { table }) => lines({ monthlyUsd: price.rates[rate] * table.hoursPerMonth, basis: `${formatUsd(price.rates[rate])} USD/h x ${table.hoursPerMonth} h${what}` }),
  };
}

/** A flat monthly rate. */
function monthly(rate: string, what = ''): IdlePricingRule {
  return { rates: [rate], price: (_resource, price) => lines({ monthlyUsd: price.rates[rate], basis: `${formatUsd(price.rates[rate])} USD/month${what}` }) };
}

/** The number of availability zones a list of subnets spans, or `undefined` when the list is a token. */
const subnetCount = (subnets: unknown): number | undefined => (Array.isArray(subnets) ? subnets.length : undefined);

/** A resource's line priced per AZ-hour. */
function perAzHour(rate: number, azs: number | undefined, table: PriceTable, what: string): RuleResult {
  if (azs === undefined) return cannot(`${what}: its subnets are a token, so its AZ count is unknown`);
  return lines({ monthlyUsd: rate * azs * table.hoursPerMonth, basis: `${formatUsd(rate)} USD per AZ-hour x ${azs} AZ x ${table.hoursPerMonth} h (${what})` });
}

/** The logical ID a property refers to (`{ Ref }` or `{ Fn::GetAtt: [id, ...] }`), if any. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as Json).Ref ?? (value as Json)['Fn::GetAtt']?.[0];
  return typeof ref === 'string' ? ref : undefined;
}

const fargateService: IdlePricingRule = {
  rates: ['x86VcpuHour', 'x86GbHour', 'armVcpuHour', 'armGbHour'],
  price(resource, price, { table }) {
    const props = resource.properties;
    const strategy: Json[] = props.CapacityProviderStrategy ?? [];
    const onFargate = props.LaunchType === 'FARGATE' || strategy.some((s) => /^FARGATE/.test(s.CapacityProvider));
    if (!onFargate) return none;
    const taskId = referencedId(props.TaskDefinition);
    const task = taskId ? resource.siblings[taskId]?.Properties : undefined;
    if (!task) return cannot('its task definition is not in the same template');
    const vcpu = Number(task.Cpu) / 1024;
    const gb = Number(task.Memory) / 1024;
    if (!(vcpu > 0 && gb > 0)) return cannot('its task definition has no literal Cpu and Memory');
    const arm = task.RuntimePlatform?.CpuArchitecture === 'ARM64';
    const [cpuRate, gbRate] = arm ? [price.rates.armVcpuHour, price.rates.armGbHour] : [price.rates.x86VcpuHour, price.rates.x86GbHour];
    const target = Object.values(resource.siblings).find(
      (r) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && r.Properties?.ScalableDimension === 'ecs:service:DesiredCount' && JSON.stringify(r.Properties?.ResourceId).includes(`"${resource.logicalId}"`),
    );
    const tasks = Number(target?.Properties?.MinCapacity ?? props.DesiredCount ?? 1);
    const why = target ? 'the scaling minimum' : props.DesiredCount !== undefined ? 'the desired count' : 'the default desired count';
    const containers = (task.ContainerDefinitions ?? []).map((c: Json) => c.Name).join(', ');
    const spot = strategy.some((s) => s.CapacityProvider === 'FARGATE_SPOT') ? '; priced at on-demand rates, though the capacity provider strategy runs part of the tasks on Fargate Spot, which costs less' : '';
    return lines({
      monthlyUsd: tasks * (vcpu * cpuRate + gb * gbRate) * table.hoursPerMonth,
      basis: `${tasks} task${tasks === 1 ? '' : 's'} (${why}) x (${formatUsd(vcpu)} vCPU x ${formatUsd(cpuRate)} + ${formatUsd(gb)} GB x ${formatUsd(gbRate)}) USD/h x ${table.hoursPerMonth} h, Fargate ${arm ? 'Linux/Arm' : 'Linux/x86'}; the task's size holds its containers (${containers})${spot}`,
    });
  },
};

const openSearchDomain: IdlePricingRule = {
  rates: ['gp3GbMonth', 'gp2GbMonth'],
  price(resource, price, { table }) {
    const cluster = resource.properties.ClusterConfig ?? {};
    const result: PricedLine[] = [];
    const unpriced: string[] = [];
    const nodes = (part: string, type: string | undefined, count: number) => {
      const hour = type === undefined ? undefined : price.instances?.[type];
      if (hour === undefined) unpriced.push(`${part}: instance type ${type ?? '(not set)'} is not in the table`);
      else result.push({ part, monthlyUsd: count * hour * table.hoursPerMonth, basis: `${count} x ${type} x ${formatUsd(hour)} USD/h x ${table.hoursPerMonth} h` });
    };
    const dataNodes = Number(cluster.InstanceCount ?? 1);
    nodes('data nodes', cluster.InstanceType ?? 'r5.large.search', dataNodes);
    if (cluster.DedicatedMasterEnabled) nodes('dedicated masters', cluster.DedicatedMasterType, Number(cluster.DedicatedMasterCount ?? 3));
    if (cluster.WarmEnabled) nodes('warm nodes', cluster.WarmType, Number(cluster.WarmCount ?? 0));
    const ebs = resource.properties.EBSOptions ?? {};
    if (ebs.EBSEnabled) {
      const volumeType = ebs.VolumeType ?? 'gp2';
      const rate = volumeType === 'gp3' ? price.rates.gp3GbMonth : volumeType === 'gp2' ? price.rates.gp2GbMonth : undefined;
      const size = Number(ebs.VolumeSize ?? 10);
      if (rate === undefined) unpriced.push(`EBS storage: volume type ${volumeType} is not in the table`);
      else {
        const extra = volumeType === 'gp3' && (Number(ebs.Iops ?? 3000) > 3000 || Number(ebs.Throughput ?? 125) > 125) ? '; IOPS and throughput above the gp3 baseline are not priced' : '';
        result.push({ part: 'EBS storage', monthlyUsd: size * dataNodes * rate, basis: `${size} GB x ${dataNodes} data node${dataNodes === 1 ? '' : 's'} x ${formatUsd(rate)} USD per GB-month (${volumeType})${extra}` });
      }
    }
    return { lines: result, unpriced };
  },
};

/** The metrics a CloudWatch alarm is billed for: each metric of a metric-math alarm, three for an anomaly detection band. */
function alarmMetrics(props: Json): { metrics: number; highResolution: boolean; anomaly: boolean } {
  const queries: Json[] = props.Metrics ?? [];
  const stats = queries.filter((q) => q.MetricStat);
  const periods = queries.length > 0 ? stats.map((q) => Number(q.MetricStat.Period)) : [Number(props.Period ?? 60)];
  const anomaly = queries.some((q) => typeof q.Expression === 'string' && q.Expression.includes('ANOMALY_DETECTION_BAND'));
  const metrics = (queries.length > 0 ? stats.length : 1) * (anomaly ? 3 : 1);
  return { metrics, highResolution: periods.some((p) => p < 60), anomaly };
}

const cloudWatchAlarm: IdlePricingRule = {
  rates: ['standardMetricMonth', 'highResolutionMetricMonth'],
  price(resource, price) {
    const { metrics, highResolution, anomaly } = alarmMetrics(resource.properties);
    const rate = highResolution ? price.rates.highResolutionMetricMonth : price.rates.standardMetricMonth;
    const kind = `${highResolution ? 'high-resolution' : 'standard'}${resource.properties.Metrics ? ', metric math' : ''}${anomaly ? ', anomaly detection' : ''}`;
    return lines({ monthlyUsd: metrics * rate, basis: `${metrics} metric${metrics === 1 ? '' : 's'} x ${formatUsd(rate)} USD/month (${kind})` });
  },
};

/** AWS managed rule groups with a fee of their own, which the table does not hold. */
const PAID_RULE_GROUPS = /BotControl|ATPRuleSet|ACFPRuleSet|AntiDDoS/;

const webAcl: IdlePricingRule = {
  rates: ['webAclMonth', 'ruleMonth'],
  price(resource, price) {
    const rules: Json[] = resource.properties.Rules ?? [];
    const paid = rules.map((r) => r.Statement?.ManagedRuleGroupStatement?.Name).filter((name): name is string => typeof name === 'string' && PAID_RULE_GROUPS.test(name));
    const groups = rules.filter((r) => r.Statement?.ManagedRuleGroupStatement).length;
    return {
      lines: [{ monthlyUsd: price.rates.webAclMonth + rules.length * price.rates.ruleMonth, basis: `${formatUsd(price.rates.webAclMonth)} USD/month for the web ACL + ${rules.length} rules (${groups} of them managed rule groups) x ${formatUsd(price.rates.ruleMonth)} USD/month` }],
      unpriced: paid.map((name) => `managed rule group ${name} has a fee of its own that the table does not hold`),
    };
  },
};

/** Provisioned concurrency of an alias or a version: its function's memory, all month. */
const provisionedConcurrency: IdlePricingRule = {
  rates: ['x86ProvisionedGbSecond', 'armProvisionedGbSecond'],
  price(resource, price, { table }) {
    const executions = Number(resource.properties.ProvisionedConcurrencyConfig?.ProvisionedConcurrentExecutions ?? 0);
    if (executions === 0) return none;
    const functionId = referencedId(resource.properties.FunctionName);
    const fn = functionId ? resource.siblings[functionId]?.Properties : undefined;
    if (!fn) return cannot('provisioned concurrency: its function is not in the same template');
    const gb = Number(fn.MemorySize ?? 128) / 1024;
    const arm = (fn.Architectures ?? []).includes('arm64');
    const rate = arm ? price.rates.armProvisionedGbSecond : price.rates.x86ProvisionedGbSecond;
    return lines({
      monthlyUsd: executions * gb * rate * 3600 * table.hoursPerMonth,
      basis: `${executions} provisioned executions x ${formatUsd(gb)} GB x ${formatUsd(rate)} USD per GB-second (${arm ? 'Arm' : 'x86'}) x 3600 s x ${table.hoursPerMonth} h`,
    });
  },
};

const dynamoDbTable: IdlePricingRule = {
  rates: ['readCapacityUnitHour', 'writeCapacityUnitHour'],
  price(resource, price, { table }) {
    const props = resource.properties;
    if (props.BillingMode === 'PAY_PER_REQUEST' || !props.ProvisionedThroughput) return none;
    const throughputs = [props.ProvisionedThroughput, ...(props.GlobalSecondaryIndexes ?? []).map((index: Json) => index.ProvisionedThroughput ?? {})];
    const reads = throughputs.reduce((sum, t) => sum + Number(t.ReadCapacityUnits ?? 0), 0);
    const writes = throughputs.reduce((sum, t) => sum + Number(t.WriteCapacityUnits ?? 0), 0);
    return lines({
      monthlyUsd: (reads * price.rates.readCapacityUnitHour + writes * price.rates.writeCapacityUnitHour) * table.hoursPerMonth,
      basis: `(${reads} RCU x ${formatUsd(price.rates.readCapacityUnitHour)} + ${writes} WCU x ${formatUsd(price.rates.writeCapacityUnitHour)}) USD/h x ${table.hoursPerMonth} h, provisioned capacity (table and indexes)`,
    });
  },
};

const eksCluster: IdlePricingRule = {
  rates: ['hour'],
  price(resource, price, { table, kubernetes }) {
    const control: PricedLine = { part: 'control plane', monthlyUsd: price.rates.hour * table.hoursPerMonth, basis: `${formatUsd(price.rates.hour)} USD/h x ${table.hoursPerMonth} h` };
    if (resource.properties.ComputeConfig?.Enabled !== true) return lines(control);
    const plan = cheapestNodes(kubernetes, table.autoModeNodes);
    const pods = kubernetes.workloads.filter((w) => w.replicas > 0);
    if (pods.length === 0) return lines(control);
    if (!plan) return { lines: [control], unpriced: ['Auto Mode nodes: no candidate instance in the table holds the largest pod'] };
    const perPod = pods.map((w) => `${w.workload.split('/').pop()} ${w.replicas} x ${formatUsd(w.cpuMillis)}m CPU/${formatUsd(w.memoryMiB)} MiB`).join(', ');
    const { offer } = plan;
    return lines(control, {
      part: 'Auto Mode nodes',
      monthlyUsd: plan.nodes * (offer.hour + plan.feePerHour) * table.hoursPerMonth,
      basis:
        `${plan.nodes} x ${plan.instanceType} (${offer.vcpu} vCPU, ${offer.memoryGiB} GiB) x (${formatUsd(offer.hour)} + ${formatUsd(plan.feePerHour)} Auto Mode fee) USD/h x ${table.hoursPerMonth} h: ` +
        `the cheapest general-purpose nodes that hold the kubernetes services' pods at their minimum (${perPod}, sidecars included); ` +
        `assumes the pods may fill the node's whole vCPU and memory, and leaves out the node's own reservations and add-on pods (metrics server, CloudWatch agent), which may need more`,
    });
  },
};

const vpcEndpoint: IdlePricingRule = {
  rates: ['interfaceAzHour', 'gatewayLoadBalancerAzHour'],
  price(resource, price, { table }) {
    const kind = resource.properties.VpcEndpointType ?? 'Gateway';
    if (kind === 'Interface') return perAzHour(price.rates.interfaceAzHour, subnetCount(resource.properties.SubnetIds), table, 'interface endpoint');
    if (kind === 'GatewayLoadBalancer') return perAzHour(price.rates.gatewayLoadBalancerAzHour, subnetCount(resource.properties.SubnetIds), table, 'Gateway Load Balancer endpoint');
    return none;
  },
};

const loadBalancer: IdlePricingRule = {
  rates: ['applicationHour', 'networkHour', 'gatewayAzHour'],
  price(resource, price, { table }) {
    const kind = resource.properties.Type ?? 'application';
    if (kind === 'gateway') return perAzHour(price.rates.gatewayAzHour, subnetCount(resource.properties.Subnets ?? resource.properties.SubnetMappings), table, 'Gateway Load Balancer');
    const rate = kind === 'network' ? price.rates.networkHour : price.rates.applicationHour;
    return lines({ monthlyUsd: rate * table.hoursPerMonth, basis: `${formatUsd(rate)} USD/h x ${table.hoursPerMonth} h (${kind} load balancer; capacity units are usage, none at idle)` });
  },
};

const deliveryStream: IdlePricingRule = {
  rates: ['vpcAzHour'],
  price(resource, price, { table }) {
    const destinations = Object.values(resource.properties).filter((value): value is Json => typeof value === 'object' && value !== null && 'VpcConfiguration' in value);
    if (destinations.length === 0) return none;
    return perAzHour(price.rates.vpcAzHour, subnetCount(destinations[0].VpcConfiguration.SubnetIds), table, 'delivery into a VPC');
  },
};

const ec2Instance: IdlePricingRule = {
  rates: ['publicIpv4Hour', 'gp3GbMonth'],
  price(resource, price, { table }) {
    const props = resource.properties;
    const type = String(props.InstanceType ?? '');
    const hour = price.instances?.[type];
    const result: PricedLine[] = [];
    const unpriced: string[] = [];
    if (hour === undefined) unpriced.push(`instance type ${type || '(not set)'} is not in the table`);
    else result.push({ part: 'instance', monthlyUsd: hour * table.hoursPerMonth, basis: `${type} x ${formatUsd(hour)} USD/h x ${table.hoursPerMonth} h (Linux on-demand)` });
    // A public address, when a network interface asks for one (a subnet that maps public IPs on launch is not read).
    const interfaces: Json[] = props.NetworkInterfaces ?? [];
    if (interfaces.some((i) => i.AssociatePublicIpAddress === true || i.AssociatePublicIpAddress === 'true')) {
      result.push({ part: 'public IPv4 address', monthlyUsd: price.rates.publicIpv4Hour * table.hoursPerMonth, basis: `${formatUsd(price.rates.publicIpv4Hour)} USD/h x ${table.hoursPerMonth} h` });
    }
    for (const mapping of (props.BlockDeviceMappings ?? []) as Json[]) {
      const ebs = mapping.Ebs;
      if (ebs === undefined) continue;
      const size = Number(ebs.VolumeSize);
      const volumeType = ebs.VolumeType ?? 'gp2';
      if (!(size > 0) || volumeType !== 'gp3') unpriced.push(`volume ${mapping.DeviceName}: only gp3 volumes of a literal size are priced (${volumeType}, ${String(ebs.VolumeSize)} GB)`);
      else result.push({ part: `volume ${mapping.DeviceName}`, monthlyUsd: size * price.rates.gp3GbMonth, basis: `${size} GB x ${formatUsd(price.rates.gp3GbMonth)} USD/GB-month (gp3)` });
    }
    return { lines: result, unpriced };
  },
};

const apiStage: IdlePricingRule = {
  rates: [],
  price(resource, price, { table }) {
    if (resource.properties.CacheClusterEnabled !== true) return none;
    const size = String(resource.properties.CacheClusterSize ?? '0.5');
    const hour = price.instances?.[size];
    if (hour === undefined) return cannot(`cache size ${size} GB is not in the table`);
    return lines({ part: 'cache', monthlyUsd: hour * table.hoursPerMonth, basis: `${formatUsd(hour)} USD/h x ${table.hoursPerMonth} h (${size} GB cache)` });
  },
};

/** The pricing rule of every resource type the table may list as idle. */
export const IDLE_PRICING_RULES: Readonly<Record<string, IdlePricingRule>> = {
  'AWS::EC2::NatGateway': hourly('hour'),
  'AWS::EC2::EIP': hourly('hour', ' (public IPv4 address)'),
  'AWS::EC2::Instance': ec2Instance,
  'AWS::EC2::VPCEndpoint': vpcEndpoint,
  'AWS::ElasticLoadBalancingV2::LoadBalancer': loadBalancer,
  'AWS::EKS::Cluster': eksCluster,
  'AWS::ECS::Service': fargateService,
  'AWS::OpenSearchService::Domain': openSearchDomain,
  'AWS::CloudWatch::Dashboard': monthly('month'),
  'AWS::CloudWatch::Alarm': cloudWatchAlarm,
  'AWS::CloudWatch::CompositeAlarm': monthly('month'),
  'AWS::KMS::Key': monthly('month', ' (customer managed key)'),
  'AWS::KMS::ReplicaKey': monthly('month', ' (replica key)'),
  'AWS::WAFv2::WebACL': webAcl,
  'AWS::KinesisFirehose::DeliveryStream': deliveryStream,
  'AWS::Route53::HostedZone': monthly('month', ' (hosted zone)'),
  'AWS::ServiceDiscovery::PrivateDnsNamespace': monthly('month', ' (the private hosted zone Cloud Map makes)'),
  'AWS::ServiceDiscovery::PublicDnsNamespace': monthly('month', ' (the public hosted zone Cloud Map makes)'),
  'AWS::ServiceDiscovery::Instance': monthly('month', ' (registered instance)'),
  'AWS::SecretsManager::Secret': monthly('month', ' (secret)'),
  'AWS::Budgets::BudgetsAction': {
    rates: ['day'],
    price: (_resource, price, { table }) => lines({ monthlyUsd: (price.rates.day * table.hoursPerMonth) / 24, basis: `${formatUsd(price.rates.day)} USD/day x ${table.hoursPerMonth} h / 24 (action-enabled budget; the account's first two are free, not subtracted)` }),
  },
  'AWS::Lambda::Alias': provisionedConcurrency,
  'AWS::Lambda::Version': provisionedConcurrency,
  'AWS::DynamoDB::Table': dynamoDbTable,
  'AWS::SSM::Parameter': {
    rates: ['advancedMonth'],
    price: (resource, price) => (resource.properties.Tier === 'Advanced' ? lines({ monthlyUsd: price.rates.advancedMonth, basis: `${formatUsd(price.rates.advancedMonth)} USD/month (advanced parameter)` }) : none),
  },
  'AWS::ApiGateway::Stage': apiStage,
};
