/**
 * Reading the environment variables a deployed service is given: pointers to its table, its config
 * path and the like. Values themselves live in the config store, not here.
 */

/**
 * The value of a variable the infrastructure must set.
 *
 * @throws Error naming the variable when it is missing or empty, so a miswired deployment fails at cold start
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`environment variable ${name} is not set; the construct that deploys this service must set it`);
  }
  return value;
}

/**
 * A non-negative number from the environment, or `fallback` when the variable is unset or empty.
 *
 * @throws Error naming the variable when it is set to something that is not a non-negative number
 */
export function numberFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`environment variable ${name} is '${text}'; expected a non-negative number`);
  }
  return value;
}
