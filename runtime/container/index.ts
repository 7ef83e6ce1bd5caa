/**
 * The container process of a service on Fargate or Kubernetes: the shared entry
 * (`runContainerProcess`), its HTTP server, the adapter from requests to the same handler frame a
 * Lambda service uses, the event queue consumer, refreshing settings and OpenTelemetry export to
 * the collector beside the container. Import it as `msa-platform-blueprint/runtime/container`.
 *
 * @packageDocumentation
 */
export * from './container-process';
export * from './container-http-handler';
export { ContainerHttpServer, type ContainerHttpServerProps, type ProxyHandler, type ServerLog, type ShutdownOutcome } from './http-server';
export * from './queue-consumer';
export * from './refreshing-settings';
export * from './request-metrics';
export * from './telemetry';
