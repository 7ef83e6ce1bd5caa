import { Stack, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MicroservicePlatform } from '../constructs/platform';
import type { PlatformProfile } from '../constructs/profile';
import type { SagaSpec } from '../constructs/model/saga-spec';
import type { ServiceSpec } from '../constructs/model/service-spec';

/** What the stacks are made from. */
export interface PlatformStacksOptions {
  /** Platform name, e.g. `shop`. */
  readonly platformName: string;
  /** The profile (dev or prod). */
  readonly profile: PlatformProfile;
  /** The service catalog. */
  readonly services: readonly ServiceSpec[];
  /** Sagas across the catalog's services. @default - none */
  readonly sagas?: readonly SagaSpec[];
  /** Tag of the container images in the platform's repositories (set by the delivery pipeline). @default - images built as CDK assets */
  readonly imageTag?: string;
}

/** The stacks of one environment, one per lifecycle. */
export interface PlatformStacks {
  readonly network: Stack;
  readonly shared: Stack;
  readonly services: Stack;
  readonly edge: Stack;
  /** The EKS cluster and the kubernetes services, when the catalog has any. */
  readonly kubernetes?: Stack;
  /** Central logs, dashboards, alarms and the alert topic. */
  readonly observability: Stack;
  readonly platform: MicroservicePlatform;
}

/**
 * Places the platform into stacks by lifecycle: the network changes least, shared
 * platform services (registry, config, identity, tracing) next, the services most often, and
 * the edge in front of them, the kubernetes cluster when there are kubernetes services, and
 * observability (logs, dashboards, alarms) over all of them. Stacks are env-agnostic, so synth
 * needs no account. `app` is the App, or a Stage (one per environment of a delivery pipeline).
 */
export function addPlatformStacks(app: Construct, options: PlatformStacksOptions): PlatformStacks {
  const { platformName, profile } = options;
  const prefix = `${platformName}-${profile.name}`;
  const stack = (layer: string, description: string) =>
    new Stack(app, `${prefix}-${layer}`, {
      // The same names in an App and in a pipeline Stage (which would otherwise prefix the stage's name).
      stackName: `${prefix}-${layer}`,
      description: `${platformName} ${profile.name}: ${description}`,
      terminationProtection: profile.retainData,
    });
  const network = stack('network', 'VPC, subnets, flow logs and gateway endpoints');
  const shared = stack('shared', 'service registry, config store, identity and tracing');
  const services = stack('services', 'the microservices');
  const edge = stack('edge', 'the API gateway and its firewall');
  const kubernetes = options.services.some((spec) => spec.runtime === 'kubernetes') ? stack('kubernetes', 'the EKS cluster and the kubernetes services') : undefined;

  const observability = stack('observability', 'central logs (OpenSearch and its pipeline), dashboards, alarms and alerts');

  const platform = new MicroservicePlatform(app, `${prefix}-platform`, {
    platformName,
    services: options.services,
    sagas: options.sagas,
    profile,
    imageTag: options.imageTag,
    placement: { network, shared, services, edge, kubernetes, observability },
  });
  for (const s of [network, shared, services, edge, ...(kubernetes ? [kubernetes] : []), observability]) {
    Tags.of(s).add('platform', platformName);
    Tags.of(s).add('environment', profile.name);
  }
  return { network, shared, services, edge, kubernetes, observability, platform };
}
