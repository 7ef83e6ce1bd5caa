import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FargateMicroservice } from '../../containers/fargate-microservice';
import { ServiceImageRepository } from '../../containers/image-repository';
import { PlatformCluster } from '../../containers/platform-cluster';
import type { LoadBalancerSeat } from '../../containers/shared-load-balancer';
import { serviceConnectTimeoutMsOf } from '../../model/resilience-policy';
import type { FargateServiceSpec } from '../../model/service-spec';
import { EncryptionKey } from '../../security/encryption-key';
import type { RuntimeContext, RuntimeDeployment, ServiceRuntime } from '../service-runtime';
import { fargateSpecRules } from './fargate-spec-rules';

/** Options of the fargate runtime. */
export interface FargateRuntimeOptions {
  /**
   * Tag of the services' images in their repositories, pushed there by the delivery pipeline (an
   * immutable tag, e.g. the commit ID).
   * @default - images built from each Dockerfile as CDK assets at deploy time
   */
  readonly imageTag?: string;
}

/**
 * What the fargate services of one platform share: an ECS cluster and the key of their image
 * repositories. Each service takes a seat (a listener port of its own) on the platform's shared
 * internal load balancers (`RuntimeContext.loadBalancerSeats`), and a service with routes is
 * offered to the edge through the platform's gateway link (`RuntimeContext.gatewayLink`).
 */
export class FargateRuntimeDeployment implements RuntimeDeployment<FargateServiceSpec> {
  /** The ECS cluster. */
  public readonly cluster: PlatformCluster;
  /** Image repository of each service, by service name, for the delivery pipeline. */
  public readonly imageRepositories = new Map<string, ServiceImageRepository>();
  private readonly imageKey: EncryptionKey;
  private readonly repositories: Construct;
  /** Where each service sits on the platform's shared load balancers. */
  private readonly seats: ReadonlyMap<string, LoadBalancerSeat>;

  constructor(private readonly context: RuntimeContext, private readonly options: FargateRuntimeOptions) {
    const shared = context.scopeOf('shared');
    const services = context.scopeOf('services');
    const { namePrefix: prefix, profile } = context;
    // Its own key: the delivery pipeline's build role pushes images with it, and gets no grant on the
    // key of the services' data.
    this.imageKey = new EncryptionKey(shared, 'ImageKey', { description: `Encrypts the container images of ${prefix}`, retain: profile.retainData, allowCloudWatchLogs: false });
    this.repositories = new Construct(shared, 'ImageRepositories');
    this.cluster = new PlatformCluster(services, 'Cluster', { vpc: context.vpc, clusterName: prefix, allowSpot: profile.fargateSpot });
    // Each inbound rule a service adds to its load balancer's security group: the edge's VPC link if it
    // has routes, and each caller of another runtime (fargate callers use Service Connect instead).
    const fargate = context.catalog.filter((spec) => spec.runtime === 'fargate');
    this.seats = context.loadBalancerSeats(fargate.map((spec) => ({
      name: spec.name,
      inboundRules: ((spec.routes ?? []).length > 0 ? 1 : 0) + context.catalog.filter((caller) => caller.runtime !== 'fargate' && (caller.calls ?? []).includes(spec.name)).length,
    })));
  }

  private seatOf(spec: FargateServiceSpec): LoadBalancerSeat {
    const seat = this.seats.get(spec.name);
    if (seat === undefined) throw new Error(`fargate service '${spec.name}' is not in the platform's catalog, so it has no seat on a load balancer`);
    return seat;
  }

  public deploy(scope: Construct, spec: FargateServiceSpec): FargateMicroservice {
    const { context } = this;
    const repository = new ServiceImageRepository(this.repositories, spec.name, {
      repositoryName: `${context.platformName}/${context.environmentName}/${spec.name}`,
      encryptionKey: this.imageKey.key,
      retain: context.profile.retainData,
    });
    this.imageRepositories.set(spec.name, repository);
    const timeoutMs = serviceConnectTimeoutMsOf(spec.name, context.catalog);
    return new FargateMicroservice(scope, spec.name, {
      spec,
      platformName: context.platformName,
      environmentName: context.environmentName,
      cluster: this.cluster,
      vpcSubnets: context.serviceSubnets,
      registry: context.registry,
      register: false,
      loadBalancerSeat: this.seatOf(spec),
      retainData: context.profile.retainData,
      logRetention: context.profile.logRetention,
      minHealthyPercent: context.profile.minHealthyPercent,
      serviceConnectRequestTimeout: timeoutMs === undefined ? undefined : Duration.millis(timeoutMs),
      traceSampleRate: context.profile.traceSampleRate,
      image: this.options.imageTag === undefined ? undefined : { repository: repository.repository, tag: this.options.imageTag },
      gatewayLink: (spec.routes ?? []).length > 0 ? context.gatewayLink() : undefined,
      encryptionKey: context.serviceKey(),
    });
  }
}

/** Container services on ECS Fargate, each a {@link FargateMicroservice} behind an internal load balancer. */
export function fargateRuntime(options: FargateRuntimeOptions = {}): ServiceRuntime<FargateServiceSpec> {
  return {
    ...fargateSpecRules,
    bind: (context) => new FargateRuntimeDeployment(context, options),
  };
}
