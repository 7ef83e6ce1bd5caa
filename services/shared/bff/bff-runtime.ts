/**
 * What a BFF is built from, made once per Lambda container. Deployed, it comes from the pointers
 * its construct sets (`bffRuntimeFromEnvironment`): the registry namespace (`DISCOVERY_NAMESPACE`),
 * its config path (`CONFIG_PATH`, holding its resilience policies) and its AppConfig profile
 * (`FEATURE_FLAGS_APPLICATION`, `FEATURE_FLAGS_ENVIRONMENT`, `FEATURE_FLAGS_PROFILE`). No address of
 * another service is among them. Tests build the same runtime over local stand-ins.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type * as zod from 'zod/v4/core';
import { DependencyBreakers, CloudMapRegistry, ServiceDiscovery, ServiceRegistryClient, numberFromEnv, requiredEnv, FeatureFlags, resilienceSettings, ServiceCaller, ServiceConfig } from 'msa-platform-blueprint/runtime';
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

/** Where a BFF's runtime reads from. */
export interface BffRuntimeProps<Schema extends zod.$ZodType> {
  /** The service's name in logs and metrics. @default - POWERTOOLS_SERVICE_NAME */
  readonly serviceName?: string;
  /** CloudWatch namespace of its metrics. @default - POWERTOOLS_METRICS_NAMESPACE */
  readonly metricsNamespace?: string;
  /** The registry its dependencies are found in. */
  readonly registry: ServiceRegistryClient;
  /** Its Parameter Store path (resilience policies). */
  readonly configPath: string;
  /** Seconds config and flags are cached. */
  readonly maxAgeSeconds: number;
  readonly flags: { readonly application: string; readonly environment: string; readonly profile: string; readonly schema: Schema; readonly defaults: zod.output<Schema> };
  /** @default - SDK clients and providers with their defaults */
  readonly clients?: { readonly lambda?: LambdaClient; readonly ssm?: SSMProvider; readonly appConfig?: AppConfigProvider };
}

export function createBffRuntime<Schema extends zod.$ZodType>(props: BffRuntimeProps<Schema>): BffRuntime<zod.output<Schema>> {
  const logger = new Logger({ serviceName: props.serviceName });
  const metrics = new Metrics({ serviceName: props.serviceName, namespace: props.metricsNamespace });
  const discovery = new ServiceDiscovery({ registry: props.registry });
  const policies = new ServiceConfig({ path: props.configPath, schema: resilienceSettings<BffDependency>(['orders', 'catalog']), maxAgeSeconds: props.maxAgeSeconds, provider: props.clients?.ssm });
  return {
    sources: {
      services: new ResilientServices<BffDependency>({
        caller: new ServiceCaller({ discovery, lambda: props.clients?.lambda }),
        policies,
        breakers: new DependencyBreakers({ logger, metrics }),
      }),
      orders: new LastGoodCache(),
      products: new LastGoodCache(),
    },
    flags: new FeatureFlags({ ...props.flags, logger, maxAgeSeconds: props.maxAgeSeconds, provider: props.clients?.appConfig }),
    logger,
    metrics,
  };
}

/** The runtime of a deployed BFF, from the environment its construct sets. */
export function bffRuntimeFromEnvironment<Schema extends zod.$ZodType>(flagSchema: Schema, flagDefaults: zod.output<Schema>): BffRuntime<zod.output<Schema>> {
  return createBffRuntime({
    registry: new CloudMapRegistry({ namespaceName: requiredEnv('DISCOVERY_NAMESPACE') }),
    configPath: requiredEnv('CONFIG_PATH'),
    maxAgeSeconds: numberFromEnv('CONFIG_MAX_AGE_SECONDS', 60),
    flags: {
      application: requiredEnv('FEATURE_FLAGS_APPLICATION'),
      environment: requiredEnv('FEATURE_FLAGS_ENVIRONMENT'),
      profile: requiredEnv('FEATURE_FLAGS_PROFILE'),
      schema: flagSchema,
      defaults: flagDefaults,
    },
  });
}
