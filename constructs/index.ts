// The public API of the construct library. Import from the package root only.
export * from './model/service-spec';
export * from './model/errors';
export * from './model/validate-catalog';
export * from './profile';
export * from './security/encryption-key';
export * from './observability/encrypted-log-group';
export * from './observability/platform-tracing';
export * from './network/platform-network';
export * from './discovery/service-registry';
export * from './config/config-store';
export * from './identity/platform-identity';
export * from './gateway/edge-gateway';
export * from './compute/lambda-microservice';
export * from './platform';
