/**
 * The price table the cost report reads: list prices of one region as data, with their date and
 * their sources. `prices/us-east-1.json` is the default; a table for another region has the same
 * shape (copy that file, change `region`, `pricesAsOf`, the prices and the sources, and pass it to
 * `costOf` through `readPriceTable`).
 */
import * as fs from 'node:fs';
import usEast1 from './prices/us-east-1.json';

/** Where a price comes from, and how far it was checked. */
export interface PriceSource {
  /** The AWS pricing page the price belongs to. */
  readonly url: string;
  /** Other pages the figure was checked against. @default - none */
  readonly checkedAgainst?: readonly string[];
  /** What is assumed, left out or not confirmed. @default - nothing to add */
  readonly note?: string;
}

/** How a resource type that costs money while idle is priced: named rates its pricing rule reads. */
export interface IdlePrice {
  /** Key of the source in {@link PriceTable.sources}. */
  readonly source: string;
  /** Rates by name (USD), e.g. `hour` or `x86VcpuHour`; which names a type needs is fixed by its pricing rule. */
  readonly rates: Readonly<Record<string, number>>;
  /** Hourly USD price by instance type or size, for types priced by size (OpenSearch instances, API Gateway cache sizes). @default - none */
  readonly instances?: Readonly<Record<string, number>>;
  /** What is left out. @default - nothing */
  readonly note?: string;
}

/** An instance EKS Auto Mode may start for pods: its on-demand hourly price and size. */
export interface NodeOffer {
  /** On-demand USD per hour. */
  readonly hour: number;
  /** vCPUs. */
  readonly vcpu: number;
  /** Memory in GiB. */
  readonly memoryGiB: number;
}

/** The instances EKS Auto Mode's general-purpose node pool may start, and its management fee. */
export interface AutoModeNodePrices {
  /** Source of the instance prices. */
  readonly source: string;
  /** Source of the management fee. */
  readonly feeSource: string;
  /** The Auto Mode management fee as a share of the instance's on-demand price. */
  readonly managementFeeFraction: number;
  /** The candidate instances by type. */
  readonly instances: Readonly<Record<string, NodeOffer>>;
}

/** A unit price of a charge that depends on use (requests, GB), listed apart from the idle cost. */
export interface UsageRate {
  /** What is charged, in plain words. */
  readonly charge: string;
  /** USD per {@link per}. */
  readonly usd: number;
  /** The unit, e.g. `1M requests` or `GB-month`. */
  readonly per: string;
  /** Key of the source in {@link PriceTable.sources}. */
  readonly source: string;
}

/** List prices of one region, and how every resource type the platform makes is charged. */
export interface PriceTable {
  /** The AWS region the prices are for. */
  readonly region: string;
  /** Always USD. */
  readonly currency: 'USD';
  /** The day the prices were read (YYYY-MM-DD). */
  readonly pricesAsOf: string;
  /** Hours in the month the report prices (730). */
  readonly hoursPerMonth: number;
  /** The sources by key. */
  readonly sources: Readonly<Record<string, PriceSource>>;
  /** Resource types that cost money while idle, by CloudFormation type. */
  readonly idle: Readonly<Record<string, IdlePrice>>;
  /** The instances EKS Auto Mode nodes are priced from. */
  readonly autoModeNodes: AutoModeNodePrices;
  /** Unit prices of usage charges, by CloudFormation type (a type may be both idle and usage). */
  readonly usage: Readonly<Record<string, readonly UsageRate[]>>;
  /** Resource types with no charge of their own, each with the reason. */
  readonly free: Readonly<Record<string, string>>;
}

/** Thrown when a price table is not of the expected shape; names the table and the field. */
export class PriceTableError extends Error {
  constructor(origin: string, field: string, expected: string) {
    super(`price table ${origin}: '${field}' ${expected}`);
    this.name = 'PriceTableError';
  }
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a table's fields, failing with the path of the first field that is not as expected. */
class TableReader {
  constructor(private readonly origin: string) {}

  record(value: unknown, field: string): Json {
    if (!isRecord(value)) throw new PriceTableError(this.origin, field, 'must be an object');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.length === 0) throw new PriceTableError(this.origin, field, 'must be a non-empty string');
    return value;
  }

  price(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PriceTableError(this.origin, field, 'must be a number of at least 0');
    return value;
  }

  prices(value: unknown, field: string): Record<string, number> {
    const record = this.record(value, field);
    return Object.fromEntries(Object.entries(record).map(([key, price]) => [key, this.price(price, `${field}.${key}`)]));
  }

  source(value: unknown, field: string, sources: Json): string {
    const key = this.string(value, field);
    if (!(key in sources)) throw new PriceTableError(this.origin, field, `names source '${key}', which the table's sources do not hold`);
    return key;
  }
}

/**
 * Checks that a value (a parsed JSON file) is a price table and returns it typed. Rates a pricing
 * rule needs are checked when `costOf` uses the table.
 */
export function loadPriceTable(value: unknown, origin = 'given'): PriceTable {
  const read = new TableReader(origin);
  const table = read.record(value, '(root)');
  const sources = read.record(table.sources, 'sources');
  for (const [key, source] of Object.entries(sources)) read.string(read.record(source, `sources.${key}`).url, `sources.${key}.url`);
  if (table.currency !== 'USD') throw new PriceTableError(origin, 'currency', "must be 'USD'");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(read.string(table.pricesAsOf, 'pricesAsOf'))) throw new PriceTableError(origin, 'pricesAsOf', 'must be a date (YYYY-MM-DD)');
  read.string(table.region, 'region');
  read.price(table.hoursPerMonth, 'hoursPerMonth');
  for (const [type, entry] of Object.entries(read.record(table.idle, 'idle'))) {
    const idle = read.record(entry, `idle.${type}`);
    read.source(idle.source, `idle.${type}.source`, sources);
    read.prices(idle.rates, `idle.${type}.rates`);
    if (idle.instances !== undefined) read.prices(idle.instances, `idle.${type}.instances`);
  }
  const nodes = read.record(table.autoModeNodes, 'autoModeNodes');
  read.source(nodes.source, 'autoModeNodes.source', sources);
  read.source(nodes.feeSource, 'autoModeNodes.feeSource', sources);
  read.price(nodes.managementFeeFraction, 'autoModeNodes.managementFeeFraction');
  for (const [type, offer] of Object.entries(read.record(nodes.instances, 'autoModeNodes.instances'))) {
    const fields = read.record(offer, `autoModeNodes.instances.${type}`);
    for (const field of ['hour', 'vcpu', 'memoryGiB']) read.price(fields[field], `autoModeNodes.instances.${type}.${field}`);
  }
  for (const [type, rates] of Object.entries(read.record(table.usage, 'usage'))) {
    if (!Array.isArray(rates)) throw new PriceTableError(origin, `usage.${type}`, 'must be a list');
    rates.forEach((rate, index) => {
      const field = `usage.${type}[${index}]`;
      const fields = read.record(rate, field);
      read.string(fields.charge, `${field}.charge`);
      read.string(fields.per, `${field}.per`);
      read.price(fields.usd, `${field}.usd`);
      read.source(fields.source, `${field}.source`, sources);
    });
  }
  for (const [type, reason] of Object.entries(read.record(table.free, 'free'))) read.string(reason, `free.${type}`);
  return table as unknown as PriceTable;
}

/** Reads a price table from a JSON file (the shape of `prices/us-east-1.json`). */
export function readPriceTable(file: string): PriceTable {
  return loadPriceTable(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

/** The list prices of us-east-1 that the report uses unless given another table. */
export const US_EAST_1_PRICES: PriceTable = loadPriceTable(usEast1, 'prices/us-east-1.json');
