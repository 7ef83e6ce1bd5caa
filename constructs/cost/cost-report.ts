/**
 * `costOf`: what a synthesized cloud assembly costs a month while idle, at the list prices of a
 * price table, and the unit prices of what it would cost in use.
 */
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { type IdlePricingRule, IDLE_PRICING_RULES, type TemplateResource } from './idle-pricing';
import { type NodeDemand, nodeDemandOf } from './kubernetes-nodes';
import { type PriceTable, PriceTableError, US_EAST_1_PRICES } from './price-table';

/** One priced resource (or part of one) in the report. */
export interface CostItem {
  /** The construct path (from the assembly's metadata), else `<stack>/<logical ID>`; a part is named after it in parentheses. */
  readonly path: string;
  /** The CloudFormation type. */
  readonly type: string;
  /** USD a month. */
  readonly monthlyUsd: number;
  /** How it was computed. */
  readonly basis: string;
  /** The pricing page of the rates used. */
  readonly source: string;
}

/** A unit price of a usage charge of a resource type the assembly holds. */
export interface UsagePrice {
  /** The CloudFormation type. */
  readonly type: string;
  /** What is charged. */
  readonly charge: string;
  /** USD per {@link per}. */
  readonly usd: number;
  /** The unit. */
  readonly per: string;
  /** The pricing page. */
  readonly source: string;
}

/** A resource of an idle-priced type that could not be priced, and why. */
export interface UnpricedResource {
  /** Its construct path. */
  readonly path: string;
  /** Its type. */
  readonly type: string;
  /** Why. */
  readonly reason: string;
}

/** What an assembly costs a month while idle, and what its use would cost per unit. */
export interface CostReport {
  /** The label given (the profile), else the assembly directory's name. */
  readonly profile: string;
  /** The region of the prices. */
  readonly region: string;
  /** Always USD. */
  readonly currency: 'USD';
  /** The day the prices were read. */
  readonly pricesAsOf: string;
  /** Hours in the month priced. */
  readonly hoursPerMonth: number;
  /** The sum of the items: USD a month while idle. */
  readonly monthlyUsd: number;
  /** Every priced resource, largest first. */
  readonly items: readonly CostItem[];
  /** Unit prices of the usage charges of the types the assembly holds. */
  readonly usagePrices: readonly UsagePrice[];
  /** Types the price table does not classify (priced, usage or free): not priced at 0, listed here. */
  readonly unknownTypes: readonly string[];
  /** Resources of priced types that could not be priced, with the reason. */
  readonly unpriced: readonly UnpricedResource[];
}

/** Options of costOf. */
export interface CostOfOptions {
  /** The price table. @default US_EAST_1_PRICES */
  readonly prices?: PriceTable;
  /** The label of the report, e.g. the profile name. @default - the assembly directory's name */
  readonly profile?: string;
}

/** A stack's resources, and the construct path of each logical ID. */
interface StackView {
  readonly name: string;
  readonly resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: Record<string, any> }>>;
  readonly paths: ReadonlyMap<string, string>;
}

/** Custom resources are free in themselves (their handler is a Lambda function, listed as such); their types are the author's. */
const CUSTOM_RESOURCE = /^Custom::|^AWS::CloudFormation::CustomResource$/;
/** Custom resources whose pods EKS runs but whose manifest is not in the template. */
const UNREAD_KUBERNETES = new Set(['Custom::AWSCDK-EKS-HelmChart']);

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** Checks that the table's idle types are ones a pricing rule knows, with the rates each rule reads. */
function checkRules(table: PriceTable): void {
  for (const [type, price] of Object.entries(table.idle)) {
    const rule: IdlePricingRule | undefined = IDLE_PRICING_RULES[type];
    if (!rule) throw new PriceTableError(table.region, `idle.${type}`, 'is a type no pricing rule knows; list it under usage or free, or add a rule');
    for (const rate of rule.rates) if (typeof price.rates[rate] !== 'number') throw new PriceTableError(table.region, `idle.${type}.rates.${rate}`, 'is needed by the pricing rule');
  }
}

/** The text of a manifest property: a string, or an `Fn::Join` whose tokens become a placeholder inside JSON strings. */
function manifestText(manifest: unknown): string | undefined {
  if (typeof manifest === 'string') return manifest;
  const join = (manifest as Record<string, any> | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  return join[1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]);
}

function stacksOf(assembly: CloudAssembly): StackView[] {
  return assembly.stacksRecursively.map((stack) => {
    const paths = new Map<string, string>();
    for (const entry of stack.findMetadataByType('aws:cdk:logicalId')) if (typeof entry.data === 'string') paths.set(entry.data, entry.path.replace(/^\//, ''));
    return { name: stack.stackName, resources: stack.template.Resources ?? {}, paths };
  });
}

/** Every kubernetes object the assembly's templates apply, and the manifests that could not be read. */
function kubernetesObjectsOf(stacks: readonly StackView[]): { demand: NodeDemand; unread: UnpricedResource[] } {
  const objects: Record<string, any>[] = [];
  const unread: UnpricedResource[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const where = { path: stack.paths.get(logicalId) ?? `${stack.name}/${logicalId}`, type: resource.Type };
      if (UNREAD_KUBERNETES.has(resource.Type)) unread.push({ ...where, reason: 'the pods of a Helm chart are not read; the Auto Mode nodes leave them out' });
      if (resource.Type !== 'Custom::AWSCDK-EKS-KubernetesResource') continue;
      const text = manifestText(resource.Properties?.Manifest);
      try {
        if (text === undefined) throw new Error('not a string');
        objects.push(...[JSON.parse(text)].flat());
      } catch {
        unread.push({ ...where, reason: 'its manifest could not be read; the Auto Mode nodes leave its pods out' });
      }
    }
  }
  return { demand: nodeDemandOf(objects), unread };
}

/**
 * What a synthesized cloud assembly costs a month while idle, at the list prices of a table (us-east-1
 * unless given another), with the unit prices of what it would cost in use.
 *
 * Every resource type of every template (nested stages included) is either priced (hourly
 * resources, monthly charges, and the minimum capacity of services: Fargate tasks at their
 * minimum, the EKS Auto Mode nodes the kubernetes services' pods need at their minimum), listed
 * with usage unit prices, or free. A type the table does not classify is not priced at 0: it is
 * listed in `unknownTypes`.
 *
 * @param assembly a synthesized cloud assembly, or its directory (e.g. `cdk.out`)
 */
export function costOf(assembly: CloudAssembly | string, options: CostOfOptions = {}): CostReport {
  const table = options.prices ?? US_EAST_1_PRICES;
  checkRules(table);
  const cloudAssembly = typeof assembly === 'string' ? new CloudAssembly(assembly) : assembly;
  const stacks = stacksOf(cloudAssembly);
  const kubernetes = kubernetesObjectsOf(stacks);
  // The manifests name their cluster through tokens; with one Auto Mode cluster they are all its own.
  const autoModeClusters = stacks.flatMap((stack) => Object.values(stack.resources)).filter((r) => r.Type === 'AWS::EKS::Cluster' && r.Properties?.ComputeConfig?.Enabled === true).length;
  const demand = autoModeClusters > 1 ? nodeDemandOf([]) : kubernetes.demand;
  const items: CostItem[] = [];
  const unpriced: UnpricedResource[] = [...kubernetes.unread];
  const unknown = new Set<string>();
  const usageTypes = new Set<string>();
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const type = resource.Type;
      const path = stack.paths.get(logicalId) ?? `${stack.name}/${logicalId}`;
      const idle = table.idle[type];
      if (table.usage[type]) usageTypes.add(type);
      if (!idle) {
        if (!table.usage[type] && table.free[type] === undefined && !CUSTOM_RESOURCE.test(type)) unknown.add(type);
        continue;
      }
      const subject: TemplateResource = { logicalId, type, properties: resource.Properties ?? {}, siblings: stack.resources };
      const result = IDLE_PRICING_RULES[type].price(subject, idle, { table, kubernetes: demand });
      if (autoModeClusters > 1 && type === 'AWS::EKS::Cluster' && subject.properties.ComputeConfig?.Enabled === true) {
        unpriced.push({ path, type, reason: 'Auto Mode nodes: the assembly has several Auto Mode clusters, and the manifests are not attributed to one' });
      }
      const source = table.sources[idle.source].url;
      for (const line of result.lines) items.push({ path: line.part ? `${path} (${line.part})` : path, type, monthlyUsd: round(line.monthlyUsd), basis: line.basis, source });
      for (const reason of result.unpriced) unpriced.push({ path, type, reason });
    }
  }
  items.sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.path.localeCompare(b.path));
  const usagePrices = [...usageTypes].sort().flatMap((type) => table.usage[type].map((rate) => ({ type, charge: rate.charge, usd: rate.usd, per: rate.per, source: table.sources[rate.source].url })));
  return {
    profile: options.profile ?? path.basename(cloudAssembly.directory),
    region: table.region,
    currency: 'USD',
    pricesAsOf: table.pricesAsOf,
    hoursPerMonth: table.hoursPerMonth,
    monthlyUsd: round(items.reduce((sum, item) => sum + item.monthlyUsd, 0)),
    items,
    usagePrices,
    unknownTypes: [...unknown].sort(),
    unpriced,
  };
}
