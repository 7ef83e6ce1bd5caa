import type { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';

/**
 * Refuses a dashboard name, or a name a dashboard writes into a metric search or a pattern variable,
 * that is not 1 to `maxLength` letters, digits, hyphens or underscores: a quote or a backslash would
 * end a search expression, and a pattern character would change what a pattern matches.
 */
export function requirePlainName(scope: Construct, field: string, value: string, maxLength = 255, note = ''): void {
  if (!new RegExp(`^[A-Za-z0-9_-]{1,${maxLength}}$`).test(value)) {
    throw ConstructPropError.of(scope, field, `'${value}' must be 1 to ${maxLength} letters, digits, hyphens or underscores${note}`);
  }
}
