/**
 * The construct library: typed AWS CDK constructs for a microservice platform built from one
 * catalog of service specs (`MicroservicePlatform`, `addPlatformStacks`), each runtime a plug-in
 * (`lambdaRuntime`, `fargateRuntime`, `kubernetesRuntime`), and every capability on its own
 * (gateway, discovery, config, identity, events, sagas, observability, delivery, chaos), and
 * `costOf`, the idle monthly cost of a synthesized assembly at list prices.
 * The service runtime, the validation gates and the Pulumi component are entries of their own:
 * `msa-platform-blueprint/runtime`, `/gates` and `/pulumi`.
 *
 * @packageDocumentation
 */
export * from './model/service-spec';
export * from './model/resilience-policy';
export * from './model/errors';
export * from './model/validate-catalog';
export * from './model/saga-spec';
export * from './model/validate-patterns';
export * from './profile';
export * from './security/encryption-key';
export * from './security/private-bucket';
export * from './observability/encrypted-log-group';
export * from './observability/platform-tracing';
export * from './network/platform-network';
export * from './discovery/service-registry';
export * from './config/config-store';
export * from './config/feature-flags';
export * from './identity/platform-identity';
export * from './gateway/edge-gateway';
export * from './gateway/gateway-link';
export * from './compute/lambda-microservice';
export * from './compute/lambda-bundle';
export * from './messaging/dead-letter-queue';
export * from './messaging/event-backbone';
export * from './messaging/event-consumer';
export * from './workflow/saga';
export * from './platform';
export * from './observability/access-log-bucket';
export * from './containers/platform-cluster';
export * from './containers/image-repository';
export * from './containers/fargate-microservice';
export * from './data/service-table';
export * from './kubernetes/microservice-chart';
export * from './kubernetes/service-manifests';
export * from './kubernetes/kubernetes-platform';
export * from './kubernetes/cluster-load-balancer';
export * from './observability/alert-topic';
export * from './observability/platform-budget';
export * from './observability/log-aggregation';
export * from './observability/log-domain-setup';
export * from './observability/cluster-observability';
export * from './observability/service-monitoring';
export * from './observability/lambda-services-dashboard';
export * from './observability/container-services-dashboard';
export * from './observability/platform-overview';
export * from './identity/hardened-user-pool';
export * from './observability/encrypted-alarm-topic';
export * from './delivery/lambda-canary-deployment';
export * from './delivery/rollback-alarms';
export * from './chaos/chaos-experiments';
export * from './observability/otel-collector';
export * from './model/telemetry';
export * from './model/service-contract';
export * from './model/validate-platform';
export * from './model/monitoring-policy';
export * from './model/physical-names';
export * from './model/runtime-rules';
export * from './model/spec-fields';
export * from './model/request-body-schema';
export * from './runtimes/service-runtime';
export * from './runtimes/container-spec-checks';
export * from './runtimes/lambda/lambda-spec-rules';
export * from './runtimes/lambda/lambda-runtime';
export * from './runtimes/lambda/lambda-monitoring';
export * from './runtimes/fargate/fargate-spec-rules';
export * from './runtimes/fargate/fargate-runtime';
export * from './runtimes/fargate/fargate-monitoring';
export * from './runtimes/kubernetes/kubernetes-spec-rules';
export * from './runtimes/kubernetes/kubernetes-runtime';
export * from './runtimes/kubernetes/kubernetes-monitoring';
export * from './kubernetes/kubernetes-microservice';
export * from './observability/monitoring-target';
export * from './platform-stacks';
export * from './cost/price-table';
export * from './cost/cost-report';
