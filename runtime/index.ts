/**
 * The service runtime: what a service's own code uses to run on the platform, on any runtime.
 * Lambda handlers and container servers alike import it as `msa-platform-blueprint/runtime`;
 * the container process (HTTP server, queue consumer, telemetry) is `msa-platform-blueprint/runtime/container`.
 *
 * Nothing here imports aws-cdk-lib. The AWS SDK clients it uses are those the Lambda Node.js
 * runtime provides (bundling leaves `@aws-sdk/*` out); a container bundle includes them.
 *
 * @packageDocumentation
 */

// The environment the platform gives a service (names of the variables, ports, shutdown budget).
export * from '../constructs/model/service-contract';
export { requiredEnv, numberFromEnv } from './environment';
// The logger and metrics every helper here takes (Powertools for AWS Lambda), so a service needs no import of its own.
export { Logger } from '@aws-lambda-powertools/logger';
export { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

// HTTP: the handler frame, requests, responses, routes, idempotency, paging.
export * from './http-handler';
export * from './http-request';
export * from './http-response';
export * from './http-router';
export * from './http-idempotency';
export * from './page-cursor';
export * from './lambda-event';
export * from './validation';

// Settings and flags, from the config store and AppConfig.
export * from './service-config';
export * from './setting-schemas';
export * from './feature-flags';
export * from './resilience-settings';

// Calls to other services: discovery, the breaker, the caller, the call context.
export * from './discovery';
export * from './circuit-breaker';
export * from './service-caller';
export * from './call-context';

// Events and sagas.
export * from './events';
export * from './event-publisher';
export * from './event-consumer';
export * from './saga-command';
