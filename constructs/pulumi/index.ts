/**
 * The Pulumi side of the platform: the kubernetes services of a catalog applied by
 * `@pulumi/kubernetes` to any cluster, from the same manifests the CDK constructs make. Import it as
 * `msa-platform-blueprint/pulumi`; it needs `@pulumi/pulumi` and `@pulumi/kubernetes` (optional
 * peer dependencies of the package).
 *
 * @packageDocumentation
 */
export * from './service-charts';
