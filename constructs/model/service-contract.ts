/**
 * The contract between the platform and a service's code: the environment variables the constructs
 * give a service and its code reads. Both sides import these names from here, so they cannot drift.
 * Values are pointers (a table name, a Parameter Store path), never settings or secrets: those live
 * in the config store and Secrets Manager.
 */

/** Environment variable names, by what they point to. */
export const SERVICE_ENVIRONMENT = {
  /** The service's own table (`table` in its spec). */
  tableName: 'TABLE_NAME',
  /** The event store of an event-sourced service. */
  eventStoreTableName: 'EVENT_STORE_TABLE_NAME',
  /** The read model of an event-sourced service. */
  readModelTableName: 'READ_MODEL_TABLE_NAME',
  /** The Parameter Store path of the service's config, e.g. `/shop/dev/orders`. */
  configPath: 'CONFIG_PATH',
  /** Seconds a cached config value is served before it is read again. */
  configMaxAgeSeconds: 'CONFIG_MAX_AGE_SECONDS',
  /** The event bus the service publishes its `events.publishes` to. */
  eventBusName: 'EVENT_BUS_NAME',
  /** The queue a container service receives its `events.consumes` from (Lambda services are invoked with them). */
  eventQueueUrl: 'EVENT_QUEUE_URL',
  /** The Cloud Map namespace the services in `calls` are found in. */
  discoveryNamespace: 'DISCOVERY_NAMESPACE',
  /** AppConfig application, environment and profile of the service's feature flags. */
  featureFlagsApplication: 'FEATURE_FLAGS_APPLICATION',
  featureFlagsEnvironment: 'FEATURE_FLAGS_ENVIRONMENT',
  featureFlagsProfile: 'FEATURE_FLAGS_PROFILE',
  /** The environment (profile) name, e.g. `dev`. */
  platformEnvironment: 'PLATFORM_ENVIRONMENT',
  /** Container services: the port to listen on. */
  port: 'PORT',
  /**
   * Container services: the address to listen on; unset, every interface, as a task or pod must.
   * The local platform (`npm run dev`) gives `127.0.0.1`, so nothing it runs is reachable from
   * another machine.
   */
  listenHost: 'LISTEN_HOST',
  /** Container services: seconds in-flight requests get to finish once the server has stopped accepting connections. */
  drainSeconds: 'DRAIN_SECONDS',
  /**
   * Container services: seconds the process keeps accepting and answering after SIGTERM while its
   * health check fails, before it stops listening and drains (`ShutdownBudget.preStopSeconds` on
   * Fargate; 0 on Kubernetes, where the pod's preStop hook waits instead).
   */
  preStopSeconds: 'PRE_STOP_SECONDS',
  /** Powertools: the service name in logs and metrics, the metrics namespace, the log level. */
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  powertoolsMetricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  powertoolsLogLevel: 'POWERTOOLS_LOG_LEVEL',
  /** OpenTelemetry (container services): the name spans and metrics carry, where they go, and sampling. */
  otelServiceName: 'OTEL_SERVICE_NAME',
  otelExporterEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otelResourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  otelTracesSampler: 'OTEL_TRACES_SAMPLER',
  otelTracesSamplerArg: 'OTEL_TRACES_SAMPLER_ARG',
} as const;

/** One of the environment variable names of the contract. */
export type ServiceEnvironmentName = (typeof SERVICE_ENVIRONMENT)[keyof typeof SERVICE_ENVIRONMENT];

/**
 * Ports the OpenTelemetry collector beside a container service takes in the task or pod (OTLP gRPC,
 * OTLP HTTP, health check); the service's own port must be another.
 */
export const COLLECTOR_PORTS: readonly number[] = [4317, 4318, 13133];
