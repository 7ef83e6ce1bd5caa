/**
 * A caller's resilience policies as its config path holds them (`resilience.<callee>.<field>`,
 * written from its spec by the config store), read back into one policy per dependency. Read
 * through `ServiceConfig`, so a value changed in Parameter Store applies within the cache's max age.
 */
import * as z from 'zod/mini';
import { RESILIENCE_CONFIG_PREFIX } from '../constructs/model/resilience-policy';
import type { ResolvedResiliencePolicy } from '../constructs/model/service-spec';
import { wholeNumberSetting } from './setting-schemas';

/** The same bounds `validateCatalog` holds the spec to. */
const FIELDS: Record<keyof ResolvedResiliencePolicy, { min: number; max: number }> = {
  timeoutMs: { min: 50, max: 29_000 },
  retries: { min: 0, max: 5 },
  backoffMs: { min: 0, max: 5000 },
  errorThresholdPercent: { min: 1, max: 100 },
  volumeThreshold: { min: 1, max: 1000 },
  resetTimeoutMs: { min: 100, max: 600_000 },
  rollingWindowMs: { min: 1000, max: 600_000 },
};

/** Parameter name of one policy field. */
export function resilienceKey(dependency: string, field: keyof ResolvedResiliencePolicy): string {
  return `${RESILIENCE_CONFIG_PREFIX}${dependency}.${field}`;
}

/**
 * A schema for `ServiceConfig` that takes the flat parameters and gives `{ <dependency>: policy }`
 * for each of `dependencies`; other parameters under the path are left alone.
 */
export function resilienceSettings<const D extends string>(dependencies: readonly D[]) {
  const shape: Record<string, ReturnType<typeof wholeNumberSetting>> = {};
  for (const dependency of dependencies) {
    for (const [field, bounds] of Object.entries(FIELDS)) shape[resilienceKey(dependency, field as keyof ResolvedResiliencePolicy)] = wholeNumberSetting(bounds);
  }
  return z.pipe(
    z.object(shape),
    z.transform((flat: Record<string, number>) => {
      const policies = {} as Record<D, ResolvedResiliencePolicy>;
      for (const dependency of dependencies) {
        const policy = {} as Record<string, number>;
        for (const field of Object.keys(FIELDS)) policy[field] = flat[resilienceKey(dependency, field as keyof ResolvedResiliencePolicy)];
        policies[dependency] = policy as unknown as ResolvedResiliencePolicy;
      }
      return policies;
    }),
  );
}
