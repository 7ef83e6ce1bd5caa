import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { KubernetesMicroservice } from '../../kubernetes/kubernetes-microservice';
import { KubernetesPlatform } from '../../kubernetes/kubernetes-platform';
import type { KubernetesServiceSpec } from '../../model/service-spec';
import { ClusterObservability } from '../../observability/cluster-observability';
import type { LoadBalancerSeat } from '../../containers/shared-load-balancer';
import type { RuntimeContext, RuntimeDeployment, RuntimeObservability, ServiceRuntime } from '../service-runtime';
import { kubernetesSpecRules } from './kubernetes-spec-rules';

/** Options of the kubernetes runtime. */
export interface KubernetesRuntimeOptions {
  /**
   * Role given cluster-admin on the EKS cluster (people, pipelines).
   * @default - only the kubectl handler of the deployment can reach the Kubernetes API
   */
  readonly adminRole?: iam.IRole;
}

/** The EKS cluster of one platform, which its kubernetes services run on. */
export class KubernetesRuntimeDeployment implements RuntimeDeployment<KubernetesServiceSpec> {
  /** The cluster and its services. */
  public readonly platform: KubernetesPlatform;
  /** Pod logs and Container Insights of the cluster, once observed. */
  public clusterObservability?: ClusterObservability;

  constructor(private readonly context: RuntimeContext, options: KubernetesRuntimeOptions) {
    this.platform = new KubernetesPlatform(context.scopeOf('kubernetes'), 'Kubernetes', {
      platformName: context.platformName,
      environmentName: context.environmentName,
      vpc: context.vpc,
      vpcSubnets: context.serviceSubnets,
      retainData: context.profile.retainData,
      logRetention: context.profile.logRetention,
      traceSampleRate: context.profile.traceSampleRate,
      adminRole: options.adminRole,
      loadBalancerSeat: this.routedServicesSeat(),
    });
  }

  /**
   * One seat on the platform's shared load balancers for the routed services (their path rules share
   * its listener), when there are any: its inbound rules are the edge's VPC link and each service of
   * another runtime that calls one of them.
   */
  private routedServicesSeat(): LoadBalancerSeat | undefined {
    const { catalog, namePrefix } = this.context;
    const routed = new Set(catalog.filter((spec) => spec.runtime === 'kubernetes' && (spec.routes ?? []).length > 0).map((spec) => spec.name));
    if (routed.size === 0) return undefined;
    const callers = catalog.filter((caller) => caller.runtime !== 'kubernetes' && (caller.calls ?? []).some((callee) => routed.has(callee)));
    const name = `${namePrefix}-kubernetes`;
    return this.context.loadBalancerSeats([{ name, inboundRules: 1 + callers.length }]).get(name);
  }

  /** A service with routes is offered to the edge through the platform's gateway link. */
  public deploy(scope: Construct, spec: KubernetesServiceSpec): KubernetesMicroservice {
    return this.platform.addService(spec, scope, { gatewayLink: (spec.routes ?? []).length > 0 ? this.context.gatewayLink() : undefined, encryptionKey: this.context.serviceKey() });
  }

  /**
   * Pods log to stdout; the cluster's CloudWatch Observability add-on ships their lines to one
   * application log group and their CPU, memory and pod counts to Container Insights. Both that group
   * and the control-plane logs feed the central log store.
   */
  public observe({ scope, logs }: RuntimeObservability): void {
    this.clusterObservability = new ClusterObservability(scope, 'ClusterObservability', {
      clusterName: this.platform.cluster.clusterName,
      encryptionKey: logs.encryptionKey.key,
      logRetention: this.context.profile.logRetention,
      retain: this.context.profile.retainData,
    });
    logs.subscribe('eks-pods', this.clusterObservability.applicationLogs);
    logs.subscribe('eks-control-plane', this.platform.controlPlaneLogs);
  }
}

/** Container services on Kubernetes (EKS Auto Mode), each a {@link KubernetesMicroservice} from its chart. */
export function kubernetesRuntime(options: KubernetesRuntimeOptions = {}): ServiceRuntime<KubernetesServiceSpec> {
  return {
    ...kubernetesSpecRules,
    layer: 'kubernetes',
    bind: (context) => new KubernetesRuntimeDeployment(context, options),
  };
}
