/**
 * Price quotes: plain domain logic with no I/O. Amounts are whole cents, so sums never round.
 */
import * as z from 'zod/mini';
import { validate } from 'msa-platform-blueprint/runtime';

/** Most lines one quote may have. */
export const MAX_LINES = 100;

/** One line of a quote request. Unknown keys are refused. */
export const QuoteLine = z.strictObject({
  sku: z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/)),
  unitPriceCents: z.int().check(z.minimum(0), z.maximum(100_000_000)),
  quantity: z.int().check(z.minimum(1), z.maximum(10_000)),
});
export type QuoteLine = z.output<typeof QuoteLine>;

/** The body of `POST /pricing/quotes`: 1 to {@link MAX_LINES} lines. Unknown keys are refused. */
export const QuoteRequest = z.strictObject({
  items: z.array(QuoteLine).check(z.minLength(1), z.maxLength(MAX_LINES)),
});
export type QuoteRequest = z.output<typeof QuoteRequest>;

/** The settings a quote depends on (from the service's config). */
export const PricingSettings = z.object({
  /** Tax rate in percent, e.g. 19 for 19 %. */
  taxRatePercent: z.pipe(z.pipe(z.string().check(z.regex(/^\d{1,3}(\.\d{1,4})?$/)), z.transform(Number)), z.number().check(z.minimum(0), z.maximum(100))),
  /** ISO 4217 currency code of every amount. */
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
});
export type PricingSettings = z.output<typeof PricingSettings>;

/** A priced quote. */
export interface Quote {
  readonly currency: string;
  readonly lines: number;
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

/** Prices the lines: tax on the subtotal, rounded half up to the cent. */
export function priceQuote(lines: readonly QuoteLine[], settings: PricingSettings): Quote {
  const subtotalCents = lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  const taxCents = Math.round((subtotalCents * settings.taxRatePercent) / 100);
  return { currency: settings.currency, lines: lines.length, subtotalCents, taxCents, totalCents: subtotalCents + taxCents };
}

/** The environment variable each setting comes from: the chart exposes the ConfigMap's keys as `CONFIG_<key>`. */
const SETTING_VARIABLES = { taxRatePercent: 'CONFIG_taxRatePercent', currency: 'CONFIG_currency' } as const;

/**
 * Reads the settings from the environment the chart gives the pod.
 *
 * @throws Error naming every variable that is missing or malformed, so a miswired pod fails at start
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): PricingSettings {
  const checked = validate(PricingSettings, { taxRatePercent: env[SETTING_VARIABLES.taxRatePercent], currency: env[SETTING_VARIABLES.currency] });
  if (checked.ok) return checked.value;
  const problems = checked.problems.map((p) => `${SETTING_VARIABLES[p.path as keyof typeof SETTING_VARIABLES] ?? p.path} ${p.message}`);
  throw new Error(`the pricing settings are invalid: ${problems.join('; ')}`);
}
