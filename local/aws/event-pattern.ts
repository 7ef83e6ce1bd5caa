/**
 * EventBridge's event patterns, as far as the constructs write them: a field's list of values
 * matches when the event's value (or one of its values, for an array) is among them; an object
 * nests into the event's object; and the content filters `prefix`, `suffix`, `anything-but`,
 * `exists` and `equals-ignore-case`. A pattern with another filter is refused when the bus is made,
 * naming the rule and the filter, rather than matching wrongly.
 */

/** Why `pattern` cannot be matched here, or undefined when it can. */
export function unsupportedFilter(pattern: unknown, at = ''): string | undefined {
  if (Array.isArray(pattern)) {
    for (const value of pattern) {
      if (value !== null && typeof value === 'object') {
        const filter = Object.keys(value)[0];
        if (!['prefix', 'suffix', 'anything-but', 'exists', 'equals-ignore-case'].includes(filter)) return `${at}: the filter '${filter}'`;
      }
    }
    return undefined;
  }
  if (pattern !== null && typeof pattern === 'object') {
    for (const [key, value] of Object.entries(pattern)) {
      const problem = unsupportedFilter(value, at === '' ? key : `${at}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `${at}: a bare value (a pattern field takes a list)`;
}

/** Whether `event` (its envelope, with `detail-type`, `source`, `detail`...) matches `pattern`. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) return matchesValues(expected, actual);
    return matchesPattern(expected as Record<string, unknown>, actual);
  });
}

function matchesValues(allowed: unknown[], actual: unknown): boolean {
  const actuals = Array.isArray(actual) ? actual : [actual];
  return allowed.some((option) => {
    if (option !== null && typeof option === 'object') {
      const [filter, argument] = Object.entries(option)[0];
      switch (filter) {
        case 'exists':
          return argument === (actual !== undefined);
        case 'prefix':
          return actuals.some((value) => typeof value === 'string' && value.startsWith(String(argument)));
        case 'suffix':
          return actuals.some((value) => typeof value === 'string' && value.endsWith(String(argument)));
        case 'equals-ignore-case':
          return actuals.some((value) => typeof value === 'string' && value.toLowerCase() === String(argument).toLowerCase());
        case 'anything-but': {
          const excluded = Array.isArray(argument) ? argument : [argument];
          return actual !== undefined && actuals.every((value) => !excluded.includes(value));
        }
        default:
          return false;
      }
    }
    return actuals.some((value) => value === option);
  });
}
