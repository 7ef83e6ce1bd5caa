/**
 * What a caller's resilience policies imply: defaults, the longest a call may take, the gateway's
 * integration timeout for the caller's routes, the Service Connect request timeout of a container
 * callee, and the config entries the breaker in code reads. One source, derived in one place.
 */
import type { ResiliencePolicy, ResolvedResiliencePolicy, ServiceSpec } from './service-spec';

/** Fills in a policy's defaults. */
export function resolveResiliencePolicy(policy: ResiliencePolicy): ResolvedResiliencePolicy {
  return {
    timeoutMs: policy.timeoutMs,
    retries: policy.retries ?? 0,
    backoffMs: policy.backoffMs ?? 100,
    errorThresholdPercent: policy.errorThresholdPercent ?? 50,
    volumeThreshold: policy.volumeThreshold ?? 5,
    resetTimeoutMs: policy.resetTimeoutMs ?? 10_000,
    rollingWindowMs: policy.rollingWindowMs ?? 10_000,
  };
}

/**
 * The longest one call to a dependency may take under its policy: every attempt runs to its
 * timeout and every backoff to its cap (`backoffMs * 2^n` before attempt n + 1).
 */
export function callBudgetMs(policy: ResiliencePolicy): number {
  const resolved = resolveResiliencePolicy(policy);
  let budget = resolved.timeoutMs * (resolved.retries + 1);
  for (let retry = 0; retry < resolved.retries; retry += 1) budget += resolved.backoffMs * 2 ** retry;
  return budget;
}

/** Milliseconds a handler is allowed beyond its dependencies' budgets: its own work and a cold start's slack. */
export const HANDLER_OVERHEAD_MS = 1000;

/**
 * How long the gateway waits for a service's routes: the budgets of all its dependencies one after
 * another (the worst case) plus {@link HANDLER_OVERHEAD_MS}; `undefined` when the spec declares no
 * resilience policy (the gateway's default, 29 s, applies).
 */
export function integrationTimeoutMsOf(spec: Pick<ServiceSpec, 'resilience'>): number | undefined {
  const policies = Object.values(spec.resilience ?? {});
  if (policies.length === 0) return undefined;
  return policies.reduce((sum, policy) => sum + callBudgetMs(policy), HANDLER_OVERHEAD_MS);
}

/** The config key prefix under which a caller's resilience policies are stored. */
export const RESILIENCE_CONFIG_PREFIX = 'resilience.';

/**
 * The config a service's path holds: its own `config`, and each resilience policy with defaults
 * applied as `resilience.<callee>.<field>`, so the breaker in code reads the numbers the spec declares
 * (and an operator may tune them in Parameter Store without a redeploy).
 */
export function configEntriesOf(spec: Pick<ServiceSpec, 'config' | 'resilience'>): Record<string, string> {
  const entries: Record<string, string> = { ...(spec.config ?? {}) };
  for (const [callee, policy] of Object.entries(spec.resilience ?? {})) {
    for (const [field, value] of Object.entries(resolveResiliencePolicy(policy))) {
      entries[`${RESILIENCE_CONFIG_PREFIX}${callee}.${field}`] = String(value);
    }
  }
  return entries;
}

/**
 * How long Service Connect should let one call to `calleeName` take: the longest attempt timeout
 * that a caller reaching it through Service Connect (a container caller) declares for it, rounded
 * up to whole seconds; `undefined` when none declares one.
 */
export function serviceConnectTimeoutMsOf(calleeName: string, catalog: readonly ServiceSpec[]): number | undefined {
  let longest: number | undefined;
  for (const spec of catalog) {
    if (spec.runtime === 'lambda') continue;
    const policy = spec.resilience?.[calleeName];
    if (policy === undefined) continue;
    longest = Math.max(longest ?? 0, Math.ceil(policy.timeoutMs / 1000) * 1000);
  }
  return longest;
}

/** Bounds of each resilience policy field: [min, max]. */
export const POLICY_BOUNDS: Readonly<Record<keyof ResiliencePolicy, readonly [number, number]>> = {
  timeoutMs: [50, 29_000],
  retries: [0, 5],
  backoffMs: [0, 5000],
  errorThresholdPercent: [1, 100],
  volumeThreshold: [1, 1000],
  resetTimeoutMs: [100, 600_000],
  rollingWindowMs: [1000, 600_000],
};

/** Whether every policy is an object with a `timeoutMs` and every number in its bounds, so budgets can be computed from them. */
export function isUsableResilience(resilience: unknown): resilience is Record<string, ResiliencePolicy> {
  if (typeof resilience !== 'object' || resilience === null || Array.isArray(resilience)) return false;
  return Object.values(resilience).every((policy: unknown) =>
    typeof policy === 'object' && policy !== null && (policy as ResiliencePolicy).timeoutMs !== undefined &&
    Object.entries(policy).every(([field, value]) => {
      const bounds = POLICY_BOUNDS[field as keyof ResiliencePolicy];
      return bounds === undefined || (Number.isInteger(value) && value >= bounds[0] && value <= bounds[1]);
    }));
}

/**
 * The sum behind {@link integrationTimeoutMsOf}, in words: `the call budgets (orders 2100 ms + ...)
 * and 1000 ms for the handler add up to 4200 ms`.
 */
export function callBudgetsExplained(resilience: Record<string, ResiliencePolicy>): string {
  const total = integrationTimeoutMsOf({ resilience }) ?? 0;
  const budgets = Object.entries(resilience).map(([callee, policy]) => `${callee} ${callBudgetMs(policy)} ms`).join(' + ');
  return `the call budgets (${budgets}, each every attempt at its timeout plus every backoff) and ${HANDLER_OVERHEAD_MS} ms for the handler add up to ${total} ms`;
}
