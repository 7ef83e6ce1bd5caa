/**
 * The catalog's domain: products, and what a client may ask for when it lists or fetches them.
 */
import * as z from 'zod/mini';
import { wholeNumberSetting } from 'msa-platform-blueprint/runtime';

/** A product id: short, URL-safe. */
export const ProductId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/));

/** One product as the catalog answers for it. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** Price in minor units of `currency` (cents), so that no float rounding ever shows. */
  readonly priceMinor: number;
  readonly currency: string;
  readonly category: string;
}

/** A product as the table keeps it; items that do not fit are reported, never served half-read. */
export const StoredProduct = z.object({
  id: ProductId,
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  priceMinor: z.int().check(z.minimum(0)),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  category: z.string().check(z.minLength(1)),
});

/** The catalog's settings, from its Parameter Store path. */
export const CatalogSettings = z.object({
  defaultPageSize: wholeNumberSetting({ min: 1, max: 100 }),
  maxPageSize: wholeNumberSetting({ min: 1, max: 100 }),
});
export type CatalogSettings = z.output<typeof CatalogSettings>;

/**
 * The query parameters of `GET /products`: `limit` (whole number) and `cursor` (the opaque `next` of
 * the previous page). Anything else is refused (see `requestParser`), so a typo is reported instead
 * of silently ignored.
 */
export const ListQuery = {
  limit: z.optional(z.pipe(z.string().check(z.regex(/^\d{1,3}$/)), z.transform(Number))),
  cursor: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,512}$/))),
};
