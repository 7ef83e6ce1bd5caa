import * as path from 'node:path';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { IgnoreMode, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { LoadBalancerSeat } from '../containers/shared-load-balancer';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import type { ConfigStore } from '../config/config-store';
import type { IGatewayLink } from '../gateway/gateway-link';
import { ConstructPropError } from '../model/errors';
import type { KubernetesServiceSpec } from '../model/service-spec';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';

import { EncryptionKey } from '../security/encryption-key';
import { resolveClusterFindings } from './cluster-findings';
import { ClusterLoadBalancer } from './cluster-load-balancer';
import { MicroserviceChart } from './microservice-chart';
import { KubernetesMicroservice } from './kubernetes-microservice';
import { namespaceManifest } from './service-manifests';

/** Props of a KubernetesPlatform. */
export interface KubernetesPlatformProps {
  /** Platform name; with the environment it names the cluster, e.g. `shop-dev`. */
  readonly platformName: string;
  /** Environment name. */
  readonly environmentName: string;
  /**
   * The services to run on the cluster; every runtime must be `kubernetes`. More with `addService`.
   * @default - none
   */
  readonly services?: readonly KubernetesServiceSpec[];
  /** The VPC the cluster, its nodes and the kubectl handler run in. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the control plane's network interfaces and the kubectl handler.
   * @default - private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Config store holding the services' config; each pod role may read its own path only.
   * @default - no config access; required when a service declares config or secrets
   */
  readonly config?: ConfigStore;
  /**
   * Namespace of the services.
   * @default - the platform name
   */
  readonly namespace?: string;
  /**
   * Kubernetes version of the control plane. Change it together with `kubectlLayer`.
   * @default KubernetesVersion.V1_36
   */
  readonly version?: eks.KubernetesVersion;
  /**
   * Lambda layer with the kubectl that applies the charts (within one minor version of the cluster).
   * @default - kubectl 1.36 (@aws-cdk/lambda-layer-kubectl-v36)
   */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /**
   * Role given cluster-admin through an access entry, for people and pipelines.
   * @default - only the kubectl handler can reach the Kubernetes API
   */
  readonly adminRole?: iam.IRole;
  /**
   * A seat on an internal load balancer shared with the platform's other container services, for the
   * routed services' listener (see `ClusterLoadBalancer`).
   * @default - the routed services get a load balancer of their own, `<platform>-<env>-eks`
   */
  readonly loadBalancerSeat?: LoadBalancerSeat;
  /**
   * Images by service name, overriding the spec's `container.image` and the image built from its Dockerfile.
   * @default - the spec's image, else an asset image built from `container.dockerfileDirectory` at deploy time
   */
  readonly images?: Readonly<Record<string, string>>;
  /**
   * Keep the tables, keys and logs when the stack is deleted, and protect the tables from deletion.
   * @default false
   */
  readonly retainData?: boolean;
  /**
   * Retention of the control-plane logs (at least one year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Share of requests traced, from 0 to 1 (a caller's sampling decision is kept).
   * @default 0.05
   */
  readonly traceSampleRate?: number;
  /**
   * Image of the OpenTelemetry collector in each pod.
   * @default DEFAULT_COLLECTOR_IMAGE
   */
  readonly collectorImage?: string;
}

/** Where a kubernetes service's telemetry lands. */
export interface KubernetesServiceTelemetry {
  /** The name it reports as: its X-Ray service and the `service.name` of its metrics. */
  readonly serviceName: string;
  /** CloudWatch namespace of its request metrics (the platform name). */
  readonly metricsNamespace: string;
  /** The log group its collector writes the metrics (EMF) to. */
  readonly metricsLogGroup: logs.ILogGroup;
}

/** The managed policies of the Auto Mode node role: the minimal ones AWS documents for it. */
const NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];

/** Control-plane log types, all of them. */
const CONTROL_PLANE_LOGS = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/**
 * The Kubernetes path: an EKS cluster (Auto Mode) in the platform VPC with a private API
 * endpoint, every control-plane log type in an encrypted log group, and Kubernetes secrets
 * encrypted with a key of its own; a namespace that enforces the "restricted" Pod Security
 * Standard; the metrics-server add-on for the autoscalers; and, per service, its MicroserviceChart applied through the kubectl handler, a
 * pod role bound to its ServiceAccount through EKS Pod Identity, and its table when it has one.
 * The services with routes share one internal load balancer made with the first of them
 * ({@link ClusterLoadBalancer}), a resource of the template the edge gateway can name.
 */
export class KubernetesPlatform extends Construct {
  /** The cluster. */
  public readonly cluster: eks.Cluster;
  /** The namespace of the services. */
  public readonly namespace: string;
  /** The key that encrypts Kubernetes secrets and the control-plane logs. */
  public readonly encryptionKey: EncryptionKey;
  /** The control-plane log group. */
  public readonly controlPlaneLogs: logs.ILogGroup;
  /** The metrics-server add-on (EKS community add-on) that feeds the HorizontalPodAutoscalers. */
  public readonly metricsServer: eks.Addon;
  /** Each service on the cluster, by service name. */
  public readonly services: ReadonlyMap<string, KubernetesMicroservice> = new Map();
  /** Each service's chart, by service name. */
  public readonly charts: ReadonlyMap<string, MicroserviceChart> = new Map();
  /** Each service's pod role (assumed through Pod Identity), by service name. */
  public readonly podRoles: ReadonlyMap<string, iam.Role> = new Map();
  /** Each service's own table, by service name, for services that declare one. */
  public readonly tables: ReadonlyMap<string, dynamodb.Table> = new Map();
  /** Where each service's traces and request metrics go, by service name. */
  public readonly telemetry: ReadonlyMap<string, KubernetesServiceTelemetry> = new Map();
  /** The platform name. */
  public readonly platformName: string;
  /** The environment name. */
  public readonly environmentName: string;
  /** What every service on the cluster is made with. */
  public readonly serviceDefaults: Pick<KubernetesPlatformProps, 'config' | 'images' | 'retainData' | 'logRetention' | 'traceSampleRate' | 'collectorImage'>;
  /** The app the services' charts are made in. */
  public readonly chartApp = new App();
  private readonly namespaceManifest: eks.KubernetesManifest;
  private readonly vpc: ec2.IVpc;
  private readonly subnets: ec2.SubnetSelection;
  private routesLoadBalancer?: ClusterLoadBalancer;
  private readonly loadBalancerSeat?: LoadBalancerSeat;

  constructor(scope: Construct, id: string, props: KubernetesPlatformProps) {
    super(scope, id);
    this.platformName = props.platformName;
    this.environmentName = props.environmentName;
    this.serviceDefaults = props;
    this.loadBalancerSeat = props.loadBalancerSeat;
    if (props.version !== undefined && props.kubectlLayer === undefined && props.version.version !== eks.KubernetesVersion.V1_36.version) {
      throw ConstructPropError.of(this, 'kubectlLayer', `is missing for Kubernetes ${props.version.version}; the default layer carries kubectl 1.36, so give the layer that matches the version`);
    }
    const clusterName = `${props.platformName}-${props.environmentName}`;
    this.namespace = props.namespace ?? props.platformName;
    const retain = props.retainData ?? false;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.vpc = props.vpc;
    this.subnets = subnets;

    // Its own key: EKS envelope-encrypts the cluster's secrets with it for the cluster's whole life (a
    // new key means a new cluster), which no other key's lifecycle should be tied to.
    this.encryptionKey = new EncryptionKey(this, 'Key', { description: `Encrypts the Kubernetes secrets and control-plane logs of ${clusterName}`, retain });
    // EKS writes to this fixed name; made here first, it is encrypted and kept for the retention asked.
    this.controlPlaneLogs = new EncryptedLogGroup(this, 'ControlPlaneLogs', {
      encryptionKey: this.encryptionKey.key,
      retention: props.logRetention,
      retain,
      logGroupName: `/aws/eks/${clusterName}/cluster`,
    }).logGroup;

    // The node role with the two policies AWS names as the minimum for Auto Mode nodes (not the broader
    // worker-node and registry read-only policies the construct would attach by default).
    const nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Role of the Auto Mode nodes of ${clusterName}`,
      managedPolicies: NODE_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    for (const name of NODE_POLICIES) {
      Validations.of(nodeRole).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: `EKS Auto Mode nodes need ${name}, the minimal policy AWS defines and maintains for them (node registration, or pulling images from ECR); the pods' own AWS access comes from Pod Identity roles, not from this one.`,
      });
    }

    // The kubectl handler's own group, admitted to the private API endpoint on 443 only.
    const kubectlSecurityGroup = new ec2.SecurityGroup(this, 'KubectlSecurityGroup', {
      vpc: props.vpc,
      description: `${clusterName} kubectl handler: no inbound; outbound to the Kubernetes API and AWS APIs`,
      allowAllOutbound: true,
    });

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName,
      version: props.version ?? eks.KubernetesVersion.V1_36,
      vpc: props.vpc,
      vpcSubnets: [subnets],
      endpointAccess: eks.EndpointAccess.PRIVATE,
      secretsEncryptionKey: this.encryptionKey.key,
      clusterLogging: CONTROL_PLANE_LOGS,
      defaultCapacityType: eks.DefaultCapacityType.AUTOMODE,
      compute: { nodePools: ['system', 'general-purpose'], nodeRole },
      mastersRole: props.adminRole,
      removalPolicy,
      kubectlProviderOptions: { kubectlLayer: props.kubectlLayer ?? new KubectlV36Layer(this, 'KubectlLayer'), securityGroups: [kubectlSecurityGroup] },
    });
    this.cluster.connections.allowFrom(kubectlSecurityGroup, ec2.Port.tcp(443), 'kubectl handler to the Kubernetes API');
    this.cluster.node.addDependency(this.controlPlaneLogs);

    // The resource metrics the charts' autoscalers read; Auto Mode does not run metrics-server by itself.
    this.metricsServer = new eks.Addon(this, 'MetricsServer', { cluster: this.cluster, addonName: 'metrics-server' });
    this.namespaceManifest = this.cluster.addManifest('Namespace', namespaceManifest(this.namespace, props.platformName));
    // Used on its own, the services are wired to the config store through the same capability the platform uses.
    for (const spec of props.services ?? []) {
      const service = this.addService(spec);
      if (((spec.config && Object.keys(spec.config).length > 0) || (spec.secrets?.length ?? 0) > 0) && props.config === undefined) {
        throw ConstructPropError.of(this, 'config', `is missing, but service '${spec.name}' declares config or secrets that it must be able to read`);
      }
      props.config?.bindService(service);
    }

    resolveClusterFindings(this.cluster, props.vpc);
  }

  /**
   * Runs one more service on the cluster: its pod role, table, metrics log group and chart (see
   * {@link KubernetesMicroservice}), made in `scope` (default: this construct). Its routes, if it
   * has any, reach its pods through the cluster's load balancer, and through the edge gateway when
   * `gatewayLink` is given. Its data and queues are encrypted with `encryptionKey` when given (a
   * key the platform's services share), else with a key of its own.
   */
  public addService(spec: KubernetesServiceSpec, scope: Construct = this, options: { readonly gatewayLink?: IGatewayLink; readonly encryptionKey?: kms.IKey } = {}): KubernetesMicroservice {
    if (spec.runtime !== 'kubernetes' || spec.container === undefined) {
      throw ConstructPropError.of(this, 'services', `includes '${spec.name}' with runtime '${spec.runtime}'; a KubernetesPlatform runs only 'kubernetes' services with { container }`);
    }
    if (this.services.has(spec.name)) throw ConstructPropError.of(this, 'services', `already has a service named '${spec.name}'`);
    const service = new KubernetesMicroservice(scope, spec.name, { platform: this, spec, gatewayLink: options.gatewayLink, encryptionKey: options.encryptionKey });
    (this.services as Map<string, KubernetesMicroservice>).set(spec.name, service);
    (this.charts as Map<string, MicroserviceChart>).set(spec.name, service.chart);
    (this.podRoles as Map<string, iam.Role>).set(spec.name, service.role);
    if (service.table) (this.tables as Map<string, dynamodb.Table>).set(spec.name, service.table);
    (this.telemetry as Map<string, KubernetesServiceTelemetry>).set(spec.name, service.telemetry);
    return service;
  }

  /** What a service's chart must be applied after: the namespace. */
  public chartDependencies(_spec: KubernetesServiceSpec): Construct[] {
    return [this.namespaceManifest];
  }

  /**
   * The internal load balancer in front of the services with routes (one for all of them, each with
   * a target group and listener rules of its own); undefined while no such service runs here.
   */
  public get loadBalancer(): ClusterLoadBalancer | undefined {
    return this.routesLoadBalancer;
  }

  /**
   * Puts a service's routes on the cluster's load balancer (made with the first of them) and returns
   * the target group its pods are to be bound to. The target group and listener rules are made in
   * `scope` (the service's own, so a platform split by service keeps them out of the cluster's stack).
   */
  public routeToService(spec: KubernetesServiceSpec, scope?: Construct): elbv2.ApplicationTargetGroup {
    const clusterName = `${this.platformName}-${this.environmentName}`;
    this.routesLoadBalancer ??= new ClusterLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      vpcSubnets: this.subnets,
      clusterName,
      podSecurityGroup: this.cluster.clusterSecurityGroup,
      loadBalancerName: `${clusterName}-eks`,
      deletionProtection: this.serviceDefaults.retainData ?? false,
      seat: this.loadBalancerSeat,
    });
    return this.routesLoadBalancer.addService(spec, scope);
  }

  /** The image of a service: the override, the spec's pinned image, or an asset image built from its Dockerfile. */
  public imageFor(spec: KubernetesServiceSpec, images: Readonly<Record<string, string>> | undefined = this.serviceDefaults.images): string {
    const given = images?.[spec.name] ?? spec.container?.image;
    if (given !== undefined) return given;
    const container = spec.container!;
    const buildContext = container.buildContext ?? container.dockerfileDirectory;
    return new ecrAssets.DockerImageAsset(this, `${spec.name}Image`, {
      directory: buildContext,
      file: path.relative(buildContext, path.join(container.dockerfileDirectory, 'Dockerfile')),
      ignoreMode: IgnoreMode.DOCKER,
      platform: ecrAssets.Platform.LINUX_AMD64,
    }).imageUri;
  }
}
