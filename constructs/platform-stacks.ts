import { Stack, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SagaSpec } from './model/saga-spec';
import type { ServiceSpec } from './model/service-spec';
import { MicroservicePlatform, type PlatformPlacement } from './platform';
import type { PlatformProfile } from './profile';

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

/** The stacks of one environment: one per lifecycle, one per service, none empty. */
export interface PlatformStacks {
  /** `<platform>-<env>-network`: the VPC. */
  readonly network: Stack;
  /** `<platform>-<env>-shared`: registry, config store, identity, tracing, alerts, the bus, image repositories. */
  readonly shared: Stack;
  /** `<platform>-<env>-services`: what the services share (ECS cluster, the chaos experiments' key, logs and bucket), when anything is. */
  readonly services?: Stack;
  /** `<platform>-<env>-service-<name>`: each service with everything that is its own, by service name, in catalog order. */
  readonly serviceStacks: ReadonlyMap<string, Stack>;
  /** `<platform>-<env>-edge`: the REST API, its authorizer, firewall and access logs, when any service has routes. */
  readonly edge?: Stack;
  /** `<platform>-<env>-edge-stage`: the deployment and stage of every route, when any service has routes. */
  readonly edgeStage?: Stack;
  /** `<platform>-<env>-kubernetes`: the EKS cluster, when the catalog has kubernetes services. */
  readonly kubernetes?: Stack;
  /** `<platform>-<env>-sagas`: the sagas' state machines, when there are sagas. */
  readonly sagas?: Stack;
  /** `<platform>-<env>-observability`: central logs and the platform overview. */
  readonly observability: Stack;
  /** Every stack made, in the order it was made. */
  readonly all: readonly Stack[];
  readonly platform: MicroservicePlatform;
}

/** The lifecycle stacks, by the suffix of their names. */
const LAYER_DESCRIPTIONS = {
  network: 'VPC, subnets, flow logs and gateway endpoints',
  shared: 'service registry, config store, identity and tracing',
  services: 'what the services share: the ECS cluster and the chaos experiments\' logs',
  edge: 'the API gateway, its authorizer and its firewall',
  'edge-stage': 'the deployment and stage of every route at the edge',
  kubernetes: 'the EKS cluster',
  sagas: 'the sagas across the services',
  observability: 'central logs (OpenSearch and its pipeline) and the platform overview',
} as const;

/**
 * Places the platform into stacks by lifecycle: the network changes least, shared platform services
 * (registry, config, identity, tracing) next; then one stack per service (`<platform>-<env>-service-<name>`,
 * the service and everything that is its own, including its routes at the edge, its alarms and any dashboard
 * of its own), beside what the services share (`-services`: the ECS cluster, the chaos experiments' logs) and the
 * EKS cluster (`-kubernetes`); the edge API in front (`-edge`) and its stage after the routes
 * (`-edge-stage`); the sagas after the services they invoke; observability (central logs and the
 * overview) over all of them. A stack is made when the platform first puts something in it, so a
 * catalog without routes has no edge stacks, one without Fargate services (and without chaos
 * experiments) no services stack. Stacks are env-agnostic, so synth needs no account. `app` is the
 * App, or a Stage (one per environment of a delivery pipeline).
 */
export function addPlatformStacks(app: Construct, options: PlatformStacksOptions): PlatformStacks {
  const { platformName, profile } = options;
  const prefix = `${platformName}-${profile.name}`;
  const all: Stack[] = [];
  const stack = (suffix: string, description: string): Stack => {
    const made = new Stack(app, `${prefix}-${suffix}`, {
      // The same names in an App and in a pipeline Stage (which would otherwise prefix the stage's name).
      stackName: `${prefix}-${suffix}`,
      description: `${platformName} ${profile.name}: ${description}`,
      terminationProtection: profile.retainData,
    });
    Tags.of(made).add('platform', platformName);
    Tags.of(made).add('environment', profile.name);
    all.push(made);
    return made;
  };
  const layers = new Map<keyof typeof LAYER_DESCRIPTIONS, Stack>();
  const layer = (name: keyof typeof LAYER_DESCRIPTIONS): Stack => {
    let made = layers.get(name);
    if (made === undefined) layers.set(name, (made = stack(name, LAYER_DESCRIPTIONS[name])));
    return made;
  };
  const serviceStacks = new Map<string, Stack>();
  const placement: PlatformPlacement = {
    get network() { return layer('network'); },
    get shared() { return layer('shared'); },
    get services() { return layer('services'); },
    get edge() { return layer('edge'); },
    get edgeStage() { return layer('edge-stage'); },
    get kubernetes() { return layer('kubernetes'); },
    get sagas() { return layer('sagas'); },
    get observability() { return layer('observability'); },
    service: (spec) => {
      const made = stack(`service-${spec.name}`, `the ${spec.name} service (${spec.runtime}) with its config, routes and alarms`);
      serviceStacks.set(spec.name, made);
      return made;
    },
  };

  const platform = new MicroservicePlatform(app, `${prefix}-platform`, {
    platformName,
    services: options.services,
    sagas: options.sagas,
    profile,
    imageTag: options.imageTag,
    placement,
  });
  return {
    network: layers.get('network')!,
    shared: layers.get('shared')!,
    services: layers.get('services'),
    serviceStacks,
    edge: layers.get('edge'),
    edgeStage: layers.get('edge-stage'),
    kubernetes: layers.get('kubernetes'),
    sagas: layers.get('sagas'),
    observability: layers.get('observability')!,
    all,
    platform,
  };
}
