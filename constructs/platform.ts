import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LambdaMicroservice } from './compute/lambda-microservice';
import { ConfigStore } from './config/config-store';
import { ServiceRegistry } from './discovery/service-registry';
import { EdgeGateway } from './gateway/edge-gateway';
import { PlatformIdentity, PlatformIdentityProps } from './identity/platform-identity';
import { KubernetesPlatform } from './kubernetes/kubernetes-platform';
import { ConstructPropError } from './model/errors';
import type { ServiceSpec } from './model/service-spec';
import { validateCatalog } from './model/validate-catalog';
import { PlatformNetwork } from './network/platform-network';
import { PlatformTracing } from './observability/platform-tracing';
import { DEV_PROFILE, PlatformProfile } from './profile';

/**
 * Where each layer of the platform is made. Give a stack per lifecycle to split the platform;
 * leave a layer out to make it inside the MicroservicePlatform itself (which must then sit in a stack).
 */
export interface PlatformPlacement {
  /** The VPC. */
  readonly network?: Construct;
  /** Registry, config store, identity and tracing: shared by every service. */
  readonly shared?: Construct;
  /** The services. */
  readonly services?: Construct;
  /** The edge gateway. */
  readonly edge?: Construct;
  /** The EKS cluster and the kubernetes services on it (made only when the catalog has any). */
  readonly kubernetes?: Construct;
}

/** Props of a MicroservicePlatform. */
export interface MicroservicePlatformProps {
  /** Lowercase platform name, e.g. `shop`; the first level of names, paths and scopes. */
  readonly platformName: string;
  /** The service catalog; validated as a whole before anything is made. */
  readonly services: readonly ServiceSpec[];
  /**
   * Cost and availability settings.
   * @default DEV_PROFILE
   */
  readonly profile?: PlatformProfile;
  /**
   * Where each layer is made.
   * @default - every layer inside this construct
   */
  readonly placement?: PlatformPlacement;
  /**
   * Callback URLs of the front ends' sign-in.
   * @default - localhost for web, a custom scheme for mobile
   */
  readonly callbackUrls?: PlatformIdentityProps['callbackUrls'];
  /**
   * Set the account-wide API Gateway logging role (one stack per account and region should).
   * @default true
   */
  readonly configureAccountLogging?: boolean;
  /**
   * Role given cluster-admin on the EKS cluster (people, pipelines), when the catalog has kubernetes services.
   * @default - only the kubectl handler of the deployment can reach the Kubernetes API
   */
  readonly kubernetesAdminRole?: iam.IRole;
}

/**
 * The whole platform from a service catalog: network, registry, config store, identity,
 * tracing, one construct per service, and the edge gateway that routes to them.
 *
 * Kubernetes services run on one KubernetesPlatform (EKS). Specs whose runtime this version
 * cannot place yet (fargate) are rejected with a clear error instead of being silently skipped.
 */
export class MicroservicePlatform extends Construct {
  /** The network. */
  public readonly network: PlatformNetwork;
  /** The service registry. */
  public readonly registry: ServiceRegistry;
  /** The config store. */
  public readonly config: ConfigStore;
  /** Identity. */
  public readonly identity: PlatformIdentity;
  /** X-Ray rules and group. */
  public readonly tracing: PlatformTracing;
  /** Lambda services by name. */
  public readonly lambdaServices: ReadonlyMap<string, LambdaMicroservice>;
  /** The EKS cluster and its services, when the catalog has kubernetes services. */
  public readonly kubernetes?: KubernetesPlatform;
  /** The edge gateway, when any service has routes. */
  public readonly gateway?: EdgeGateway;
  /** The validated catalog. */
  public readonly services: readonly ServiceSpec[];

  constructor(scope: Construct, id: string, props: MicroservicePlatformProps) {
    super(scope, id);
    const profile = props.profile ?? DEV_PROFILE;
    const platformName = props.platformName;
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(platformName)) {
      throw ConstructPropError.of(this, 'platformName', `'${platformName}' must be 1 to 16 lowercase letters, digits or hyphens, starting with a letter`);
    }
    this.services = validateCatalog(props.services);
    for (const spec of this.services) {
      if (spec.runtime !== 'lambda' && spec.runtime !== 'kubernetes') {
        throw ConstructPropError.of(this, 'services', `includes '${spec.name}' with runtime '${spec.runtime}', which this platform cannot place yet; only 'lambda' and 'kubernetes' services are supported`);
      }
    }

    const placement = props.placement ?? {};
    const where = (layer: keyof PlatformPlacement): Construct => {
      const target = placement[layer];
      if (target) return target;
      try {
        Stack.of(this);
      } catch {
        throw ConstructPropError.of(this, `placement.${layer}`, 'is missing and the platform is not inside a stack; give a stack for every layer, or create the platform inside a stack');
      }
      return this;
    };
    const environmentName = profile.name;
    const prefix = `${platformName}-${environmentName}`;
    const retainData = profile.retainData;

    this.network = new PlatformNetwork(where('network'), 'Network', {
      maxAzs: profile.maxAzs,
      natGateways: profile.natGateways,
      flowLogRetention: profile.logRetention,
      retainData,
    });

    const shared = where('shared');
    this.registry = new ServiceRegistry(shared, 'Registry', {
      vpc: this.network.vpc,
      httpNamespaceName: prefix,
      dnsNamespaceName: `${environmentName}.${platformName}.internal`,
    });
    this.config = new ConfigStore(shared, 'Config', { platformName, environmentName, services: this.services });
    this.identity = new PlatformIdentity(shared, 'Identity', {
      platformName,
      environmentName,
      services: this.services,
      callbackUrls: props.callbackUrls,
      threatProtection: profile.identityThreatProtection,
      retain: retainData,
    });
    this.tracing = new PlatformTracing(shared, 'Tracing', { servicePrefix: prefix, fixedRate: profile.traceSampleRate });

    const servicesScope = where('services');
    const lambdaServices = new Map<string, LambdaMicroservice>();
    for (const spec of this.services.filter((s) => s.runtime === 'lambda')) {
      lambdaServices.set(
        spec.name,
        new LambdaMicroservice(servicesScope, spec.name, {
          spec,
          platformName,
          environmentName,
          vpc: this.network.vpc,
          vpcSubnets: this.network.serviceSubnets,
          registry: this.registry,
          config: this.config,
          retainData,
          logRetention: profile.logRetention,
        }),
      );
    }
    this.lambdaServices = lambdaServices;

    const kubernetesSpecs = this.services.filter((spec) => spec.runtime === 'kubernetes');
    if (kubernetesSpecs.length > 0) {
      this.kubernetes = new KubernetesPlatform(where('kubernetes'), 'Kubernetes', {
        platformName,
        environmentName,
        services: kubernetesSpecs,
        vpc: this.network.vpc,
        vpcSubnets: this.network.serviceSubnets,
        config: this.config,
        retainData,
        logRetention: profile.logRetention,
        adminRole: props.kubernetesAdminRole,
      });
    }

    const routed = [...lambdaServices.values()].filter((service) => (service.spec.routes ?? []).length > 0);
    if (routed.length > 0) {
      this.gateway = new EdgeGateway(where('edge'), 'Gateway', {
        apiName: `${prefix}-edge`,
        stageName: environmentName,
        identity: this.identity,
        backends: routed.map((service) => ({ spec: service.spec, handler: service.function })),
        throttleRateLimit: profile.throttleRateLimit,
        throttleBurstLimit: profile.throttleBurstLimit,
        logRetention: profile.logRetention,
        retainData,
        configureAccountLogging: props.configureAccountLogging,
      });
    }
  }
}
