/**
 * Price quotes: plain domain logic with no I/O. Amounts are whole cents, so sums never round.
 */

/** One line of a quote request. */
export interface QuoteLine {
  readonly sku: string;
  readonly unitPriceCents: number;
  readonly quantity: number;
}

/** The settings a quote depends on (from the service's config). */
export interface PricingSettings {
  /** Tax rate in percent, e.g. 19 for 19 %. */
  readonly taxRatePercent: number;
  /** ISO 4217 currency code of every amount. */
  readonly currency: string;
}

/** A priced quote. */
export interface Quote {
  readonly currency: string;
  readonly lines: number;
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

/** Most lines one quote may have. */
export const MAX_LINES = 100;

const SKU = /^[A-Za-z0-9-]{1,64}$/;
const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Checks a request body; returns the lines, or the list of problems, each naming its field. */
export function parseQuoteRequest(body: unknown): { lines: QuoteLine[] } | { problems: string[] } {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_LINES) {
    return { problems: [`items: must be a list of 1 to ${MAX_LINES} lines`] };
  }
  const problems: string[] = [];
  items.forEach((item: Record<string, unknown> | null, i) => {
    if (typeof item?.sku !== 'string' || !SKU.test(item.sku)) problems.push(`items[${i}].sku: must be 1 to 64 letters, digits or hyphens`);
    if (!isWhole(item?.unitPriceCents, 0, 100_000_000)) problems.push(`items[${i}].unitPriceCents: must be whole cents from 0 to 100000000`);
    if (!isWhole(item?.quantity, 1, 10_000)) problems.push(`items[${i}].quantity: must be a whole number from 1 to 10000`);
  });
  return problems.length > 0 ? { problems } : { lines: items as QuoteLine[] };
}

/** Prices the lines: tax on the subtotal, rounded half up to the cent. */
export function priceQuote(lines: readonly QuoteLine[], settings: PricingSettings): Quote {
  const subtotalCents = lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  const taxCents = Math.round((subtotalCents * settings.taxRatePercent) / 100);
  return { currency: settings.currency, lines: lines.length, subtotalCents, taxCents, totalCents: subtotalCents + taxCents };
}

/** Reads the settings from the environment the chart gives the pod (its ConfigMap, prefixed `CONFIG_`). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): PricingSettings {
  const taxRatePercent = Number(env.CONFIG_taxRatePercent);
  const currency = env.CONFIG_currency ?? '';
  if (!Number.isFinite(taxRatePercent) || taxRatePercent < 0 || taxRatePercent > 100) {
    throw new Error(`CONFIG_taxRatePercent is '${String(env.CONFIG_taxRatePercent)}'; expected a number from 0 to 100`);
  }
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`CONFIG_currency is '${currency}'; expected a three-letter ISO 4217 code`);
  return { taxRatePercent, currency };
}
