/**
 * Schemas for settings as Parameter Store keeps them: every value is text, so each schema takes a
 * string and gives the typed value. Use them in the schema given to `ServiceConfig`.
 */
import * as z from 'zod/mini';

/**
 * A whole number within `min` to `max`: `'20'` becomes `20`. A missing parameter is reported as
 * required, text that is not a number as not a number.
 */
export function wholeNumberSetting(bounds: { readonly min: number; readonly max: number }) {
  return z.pipe(z.pipe(z.string(), z.transform(Number)), z.int().check(z.minimum(bounds.min), z.maximum(bounds.max)));
}
