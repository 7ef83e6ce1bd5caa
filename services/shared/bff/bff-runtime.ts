/**
 * What a deployed BFF is built from, made once per Lambda container from the pointers its
 * construct sets: the registry namespace (`DISCOVERY_NAMESPACE`), its config path (`CONFIG_PATH`,
 * holding its resilience policies) and its AppConfig profile (`FEATURE_FLAGS_APPLICATION`,
 * `FEATURE_FLAGS_ENVIRONMENT`, `FEATURE_FLAGS_PROFILE`). No address of another service is here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type * as zod from 'zod/v4/core';
import { DependencyBreakers } from '../circuit-breaker';
import { CloudMapRegistry, ServiceDiscovery } from '../discovery';
import { numberFromEnv, requiredEnv } from '../environment';
import { FeatureFlags } from '../feature-flags';
import { resilienceSettings } from '../resilience-settings';
import { ServiceCaller } from '../service-caller';
import { ServiceConfig } from '../service-config';
import { LastGoodCache } from './last-good-cache';
import { BffDependency, OrderAggregateSources } from './order-aggregate';
import { ResilientServices } from './resilient-services';

/** The parts of a BFF that its API takes. */
export interface BffRuntime<Flags> {
  readonly sources: OrderAggregateSources;
  readonly flags: { read(): Promise<Flags> };
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function bffRuntimeFromEnvironment<Schema extends zod.$ZodType>(flagSchema: Schema, flagDefaults: zod.output<Schema>): BffRuntime<zod.output<Schema>> {
  const logger = new Logger();
  const metrics = new Metrics();
  const maxAgeSeconds = numberFromEnv('CONFIG_MAX_AGE_SECONDS', 60);
  const discovery = new ServiceDiscovery({ registry: new CloudMapRegistry({ namespaceName: requiredEnv('DISCOVERY_NAMESPACE') }) });
  const policies = new ServiceConfig({ path: requiredEnv('CONFIG_PATH'), schema: resilienceSettings<BffDependency>(['orders', 'catalog']), maxAgeSeconds });
  return {
    sources: {
      services: new ResilientServices<BffDependency>({ caller: new ServiceCaller({ discovery }), policies, breakers: new DependencyBreakers({ logger, metrics }) }),
      orders: new LastGoodCache(),
      products: new LastGoodCache(),
    },
    flags: new FeatureFlags({
      application: requiredEnv('FEATURE_FLAGS_APPLICATION'),
      environment: requiredEnv('FEATURE_FLAGS_ENVIRONMENT'),
      profile: requiredEnv('FEATURE_FLAGS_PROFILE'),
      schema: flagSchema,
      defaults: flagDefaults,
      logger,
      maxAgeSeconds,
    }),
    logger,
    metrics,
  };
}
