import { Duration, Stack } from 'aws-cdk-lib';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaMicroservice } from './compute/lambda-microservice';
import { FargateMicroservice } from './containers/fargate-microservice';
import { ServiceImageRepository } from './containers/image-repository';
import { PlatformCluster } from './containers/platform-cluster';
import type { GatewayBackend } from './gateway/edge-gateway';
import { AccessLogBucket } from './observability/access-log-bucket';
import { EncryptionKey } from './security/encryption-key';
import { ConfigStore } from './config/config-store';
import { FeatureFlags, FlaggedService } from './config/feature-flags';
import { serviceConnectTimeoutMsOf } from './model/resilience-policy';
import { ServiceRegistry } from './discovery/service-registry';
import { EdgeGateway } from './gateway/edge-gateway';
import { EventBackbone } from './messaging/event-backbone';
import { PlatformIdentity, PlatformIdentityProps } from './identity/platform-identity';
import { KubernetesPlatform } from './kubernetes/kubernetes-platform';
import { ConstructPropError } from './model/errors';
import type { ServiceSpec } from './model/service-spec';
import { validateCatalog } from './model/validate-catalog';
import type { SagaSpec } from './model/saga-spec';
import { validateSagas } from './model/validate-patterns';
import { PlatformNetwork } from './network/platform-network';
import { PlatformTracing } from './observability/platform-tracing';
import { AlertTopic } from './observability/alert-topic';
import { ClusterObservability } from './observability/cluster-observability';
import { LogAggregation } from './observability/log-aggregation';
import { PlatformOverview } from './observability/platform-overview';
import { ServiceMonitoring, ServiceMonitoringProps } from './observability/service-monitoring';
import { ChaosExperiments } from './chaos/chaos-experiments';
import { LambdaCanaryDeployment } from './delivery/lambda-canary-deployment';
import { fargateErrorAlarm, lambdaErrorAlarm, unschedulablePodsAlarm } from './delivery/rollback-alarms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { DEV_PROFILE, PlatformProfile } from './profile';
import { Saga } from './workflow/saga';

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
  /**
   * Central logs (OpenSearch and its pipeline), dashboards, alarms and the alert topic. It reads
   * from every other layer, so its stack depends on theirs.
   * @default - the edge layer when that is given (it too is made after the services), else this construct
   */
  readonly observability?: Construct;
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
   * Sagas across the catalog's services, each started by a domain event; validated against the catalog.
   * @default - none
   */
  readonly sagas?: readonly SagaSpec[];
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
  /**
   * Tag of the container services' images in their repositories (`imageRepositories`), pushed
   * there by the delivery pipeline (an immutable tag, e.g. the commit ID).
   * @default - images built from each Dockerfile as CDK assets at deploy time
   */
  readonly imageTag?: string;
}

/**
 * The whole platform from a service catalog: network, registry, config store, identity,
 * tracing, one construct per service (Lambda or Fargate, by the spec's runtime), and the edge
 * gateway that routes to them: Lambda services directly, container services through a VPC link
 * to their internal load balancers. Callers are let in to the services they declare in `calls`.
 *
 * Kubernetes services run on one KubernetesPlatform (EKS), from charts made from the same specs.
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
  /** Fargate services by name. */
  public readonly fargateServices: ReadonlyMap<string, FargateMicroservice>;
  /** The ECS cluster, when any service runs on Fargate. */
  public readonly cluster?: PlatformCluster;
  /** Image repositories of the container services, by service name, for the delivery pipeline. */
  public readonly imageRepositories: ReadonlyMap<string, ServiceImageRepository>;
  /** The EKS cluster and its services, when the catalog has kubernetes services. */
  public readonly kubernetes?: KubernetesPlatform;
  /** Feature flags on AppConfig, when any service declares some. */
  public readonly featureFlags?: FeatureFlags;
  /** The edge gateway, when any service has routes. */
  public readonly gateway?: EdgeGateway;
  /** The validated catalog. */
  public readonly services: readonly ServiceSpec[];
  /** The event bus, its archive and the messaging alarm topic, when any service publishes or consumes events. */
  public readonly events?: EventBackbone;
  /** Sagas by name. */
  public readonly sagas: ReadonlyMap<string, Saga>;
  /** The SNS topic every alarm notifies. */
  public readonly alerts: AlertTopic;
  /** The central log store and the pipeline every service log group feeds. */
  public readonly logs: LogAggregation;
  /** Dashboard and alarms of each service, by service name. */
  public readonly monitoring: ReadonlyMap<string, ServiceMonitoring>;
  /** Pod logs and Container Insights of the EKS cluster, when there is one. */
  public readonly clusterObservability?: ClusterObservability;
  /** The platform overview dashboard. */
  public readonly overview: PlatformOverview;
  /** The canary deployment of each Lambda service, by name. */
  public readonly canaryDeployments: ReadonlyMap<string, LambdaCanaryDeployment>;
  /** Topic the deployment alarms notify: the platform alert topic (`alerts.topic`). */
  public readonly alertTopic: sns.ITopic;
  /** The FIS experiments: container services (in the services layer) and kubernetes services (beside the cluster). */
  public readonly chaosExperiments: readonly ChaosExperiments[];

  constructor(scope: Construct, id: string, props: MicroservicePlatformProps) {
    super(scope, id);
    const profile = props.profile ?? DEV_PROFILE;
    const platformName = props.platformName;
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(platformName)) {
      throw ConstructPropError.of(this, 'platformName', `'${platformName}' must be 1 to 16 lowercase letters, digits or hyphens, starting with a letter`);
    }
    this.services = validateCatalog(props.services);
    const sagaSpecs = validateSagas(props.sagas ?? [], this.services);

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
    // One topic every alarm of the platform notifies (messaging, flags, services, the overview).
    this.alerts = new AlertTopic(shared, 'Alerts', { topicName: `${prefix}-alerts`, retain: retainData });
    if (sagaSpecs.length > 0 || this.services.some((spec) => spec.events?.publishes?.length || spec.events?.consumes?.length)) {
      this.events = new EventBackbone(shared, 'Events', { busName: `${prefix}-events`, retainData, alarmTopic: this.alerts.topic });
    }

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
          eventBackbone: this.events,
        }),
      );
    }
    this.lambdaServices = lambdaServices;

    // Container services: a cluster, an image repository each, and a VPC link the gateway reaches them through.
    const fargateServices = new Map<string, FargateMicroservice>();
    const imageRepositories = new Map<string, ServiceImageRepository>();
    const fargateSpecs = this.services.filter((s) => s.runtime === 'fargate');
    let vpcLink: apigatewayv2.VpcLink | undefined;
    if (fargateSpecs.length > 0) {
      const imageKey = new EncryptionKey(shared, 'ImageKey', { description: `Encrypts the container images of ${prefix}`, retain: retainData, allowCloudWatchLogs: false });
      const accessLogs = new AccessLogBucket(shared, 'AccessLogs');
      this.cluster = new PlatformCluster(servicesScope, 'Cluster', { vpc: this.network.vpc, clusterName: prefix, allowSpot: profile.fargateSpot });
      const linkSecurityGroup = new ec2.SecurityGroup(servicesScope, 'GatewayLinkSecurityGroup', {
        vpc: this.network.vpc,
        description: `${prefix} gateway VPC link: outbound to the load balancers of the container services only`,
        allowAllOutbound: false,
      });
      vpcLink = new apigatewayv2.VpcLink(servicesScope, 'GatewayLink', {
        vpc: this.network.vpc,
        vpcLinkName: `${prefix}-gateway`,
        subnets: this.network.serviceSubnets,
        securityGroups: [linkSecurityGroup],
      });
      for (const spec of fargateSpecs) {
        const imageRepository = new ServiceImageRepository(shared, `${spec.name}Images`, {
          repositoryName: `${platformName}/${environmentName}/${spec.name}`,
          encryptionKey: imageKey.key,
          retain: retainData,
        });
        imageRepositories.set(spec.name, imageRepository);
        const service = new FargateMicroservice(servicesScope, spec.name, {
          spec,
          platformName,
          environmentName,
          cluster: this.cluster,
          vpcSubnets: this.network.serviceSubnets,
          registry: this.registry,
          config: this.config,
          accessLogs,
          retainData,
          logRetention: profile.logRetention,
          minHealthyPercent: profile.minHealthyPercent,
          serviceConnectRequestTimeout: millisOrUndefined(serviceConnectTimeoutMsOf(spec.name, this.services)),
          traceSampleRate: profile.traceSampleRate,
          image: props.imageTag === undefined ? undefined : { repository: imageRepository.repository, tag: props.imageTag },
        });
        if ((spec.routes ?? []).length > 0) service.allowCallsFrom(linkSecurityGroup, 'the edge gateway VPC link');
        fargateServices.set(spec.name, service);
      }
    }
    this.fargateServices = fargateServices;
    this.imageRepositories = imageRepositories;

    // Each declared call is let through the network: Lambda callers reach container services at
    // their load balancer, container callers through Service Connect. Lambda callees need no rule.
    for (const spec of this.services) {
      for (const callee of spec.calls ?? []) {
        const target = fargateServices.get(callee);
        if (target === undefined) continue;
        const fargateCaller = fargateServices.get(spec.name);
        const lambdaCaller = lambdaServices.get(spec.name);
        if (fargateCaller) target.allowServiceConnectFrom(fargateCaller);
        else if (lambdaCaller) target.allowCallsFrom(lambdaCaller.securityGroup, `calls from ${spec.name}`);
      }
      // Lambda callees are invoked by the ARN the registry gives: the caller may invoke exactly those functions.
      for (const callee of spec.calls ?? []) {
        const lambdaCallee = lambdaServices.get(callee);
        const callerRole = lambdaServices.get(spec.name)?.role ?? fargateServices.get(spec.name)?.taskRole;
        if (lambdaCallee && callerRole) lambdaCallee.grantInvoke(callerRole);
      }
    }

    // Feature flags: a configuration profile per service that declares them, read only by that service.
    const flagged: FlaggedService[] = this.services
      .filter((spec) => spec.featureFlags !== undefined)
      .map((spec) => ({ spec, functionName: lambdaServices.get(spec.name)?.functionName }));
    if (flagged.length > 0) {
      const flags = (this.featureFlags = new FeatureFlags(shared, 'FeatureFlags', {
        applicationName: prefix,
        alarmTopic: this.alerts.topic,
        environmentName,
        metricsNamespace: platformName,
        services: flagged,
        retain: retainData,
      }));
      for (const { spec } of flagged) {
        const lambdaService = lambdaServices.get(spec.name);
        const fargateService = fargateServices.get(spec.name);
        for (const [name, value] of Object.entries(flags.environmentFor(spec.name))) {
          lambdaService?.function.addEnvironment(name, value);
          fargateService?.container.addEnvironment(name, value);
        }
        const role = lambdaService?.role ?? fargateService?.taskRole;
        if (role) flags.grantRead(spec.name, role);
      }
    }

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
        traceSampleRate: profile.traceSampleRate,
        adminRole: props.kubernetesAdminRole,
      });
    }

    const sagas = new Map<string, Saga>();
    for (const saga of sagaSpecs) {
      const action = (spec: SagaSpec['complete']) => ({ function: lambdaServices.get(spec.service)!.alias, action: spec.action });
      sagas.set(
        saga.name,
        new Saga(servicesScope, `saga-${saga.name}`, {
          stateMachineName: `${prefix}-${saga.name}`,
          trigger: { bus: this.events!.bus, eventType: saga.startOn },
          steps: saga.steps.map((step) => ({ name: step.name, invoke: action(step.invoke), compensate: action(step.compensate) })),
          complete: action(saga.complete),
          reject: action(saga.reject),
          alarmTopic: this.events!.alarmTopic,
          logRetention: profile.logRetention,
          retainData,
        }),
      );
    }
    this.sagas = sagas;

    const backends: GatewayBackend[] = [];
    for (const spec of this.services.filter((s) => (s.routes ?? []).length > 0)) {
      const lambdaService = lambdaServices.get(spec.name);
      const fargateService = fargateServices.get(spec.name);
      if (lambdaService) backends.push({ spec, handler: lambdaService.alias });
      else if (fargateService && vpcLink) {
        backends.push({ spec, loadBalancer: { loadBalancerArn: fargateService.loadBalancer.loadBalancerArn, url: fargateService.url, vpcLink } });
      }
    }
    if (backends.length > 0) {
      this.gateway = new EdgeGateway(where('edge'), 'Gateway', {
        apiName: `${prefix}-edge`,
        stageName: environmentName,
        identity: this.identity,
        backends,
        throttleRateLimit: profile.throttleRateLimit,
        throttleBurstLimit: profile.throttleBurstLimit,
        logRetention: profile.logRetention,
        retainData,
        configureAccountLogging: props.configureAccountLogging,
      });
    }

    // ---- Observability: every service's log groups and alarms. -------------------------------------
    // Driven by what was built above, so a service added to the catalog gets its log subscription,
    // dashboard and alarms here without code of its own; a new kind of service construct adds one loop.
    const observability = placement.observability ?? placement.edge ?? where('observability');
    this.logs = new LogAggregation(observability, 'Logs', {
      domainName: `${prefix}-logs`,
      vpc: this.network.vpc,
      vpcSubnets: this.network.serviceSubnets,
      capacity: profile.logSearch,
      relaxationReason: profile.logSearch.relaxationReason,
      indexRetentionDays: profile.logSearch.indexRetentionDays,
      logRetention: profile.logRetention,
      retainData,
      threatProtection: profile.identityThreatProtection,
    });
    const gatewayStage = this.gateway ? { apiName: `${prefix}-edge`, stageName: environmentName } : undefined;
    // Pods of kubernetes services log to stdout; the cluster's CloudWatch Observability add-on ships
    // their lines to one application log group and their CPU, memory and pod counts to Container Insights.
    if (this.kubernetes) {
      this.clusterObservability = new ClusterObservability(observability, 'ClusterObservability', {
        clusterName: this.kubernetes.cluster.clusterName,
        encryptionKey: this.logs.encryptionKey.key,
        logRetention: profile.logRetention,
        retain: retainData,
      });
      this.logs.subscribe('eks-pods', this.clusterObservability.applicationLogs);
      this.logs.subscribe('eks-control-plane', this.kubernetes.controlPlaneLogs);
    }
    if (this.gateway) this.logs.subscribe('gateway-access', this.gateway.accessLogGroup);

    // One entry per service construct: its own log group (if it has one) and what monitoring watches.
    // Queues that alarm already (a Lambda's failure queue once messaging is wired, consumer DLQs) get no second alarm.
    const kubernetes = this.kubernetes;
    const kubernetesTarget = kubernetes
      ? (name: string) => {
        const telemetry = kubernetes.telemetry.get(name)!;
        return { clusterName: kubernetes.cluster.clusterName, namespace: kubernetes.namespace, telemetryServiceName: telemetry.serviceName, metricsNamespace: telemetry.metricsNamespace };
      }
      : undefined;
    const monitored: { spec: ServiceSpec; logGroup?: logs.ILogGroup; target: Pick<ServiceMonitoringProps, 'function' | 'container' | 'kubernetes' | 'deadLetterQueues'> }[] = [
      ...[...lambdaServices.values()].map((s) => ({ spec: s.spec, logGroup: s.logGroup, target: { function: s.function, deadLetterQueues: s.failureAlarm ? [] : [s.failureQueue] } })),
      ...[...fargateServices.values()].map((s) => ({ spec: s.spec, logGroup: s.logGroup, target: { container: { service: s.service, loadBalancer: s.loadBalancer, targetGroup: s.targetGroup } } })),
      ...(kubernetesTarget ? kubernetesSpecs.map((spec) => ({ spec, target: { kubernetes: kubernetesTarget(spec.name) } })) : []),
    ];
    const monitoring = new Map<string, ServiceMonitoring>();
    for (const { spec, logGroup, target } of monitored) {
      if (logGroup) this.logs.subscribe(spec.name, logGroup);
      // Kubernetes routes are not behind the edge gateway (see the kubernetes section of the README).
      const gateway = spec.runtime === 'kubernetes' ? undefined : gatewayStage;
      monitoring.set(spec.name, new ServiceMonitoring(observability, `${spec.name}Monitoring`, { spec, namePrefix: prefix, alertTopic: this.alerts.topic, gateway, ...target }));
    }
    this.monitoring = monitoring;
    this.overview = new PlatformOverview(observability, 'Overview', {
      namePrefix: prefix,
      alertTopic: this.alerts.topic,
      services: [...monitoring.values()],
      gateway: this.gateway ? { api: this.gateway.api, stageName: environmentName } : undefined,
    });

    // ---- Delivery and chaos. ----------------------------------------------------------------------
    // Each Lambda service rolls out as a canary behind its live alias, each Fargate service blue/green;
    // both roll back on an error alarm made here, beside the deployment. The observability layer's
    // alarms cannot be used: that stack already depends on this one, so a reference back would be a cycle.
    this.alertTopic = this.alerts.topic;
    const chaos = (scope: Construct, id: string) =>
      new ChaosExperiments(scope, id, { namePrefix: prefix, taskStopPercent: profile.chaosTaskStopPercent, logRetention: profile.logRetention, retainData });
    const chaosExperiments: ChaosExperiments[] = [];
    const lambdaChaos = profile.lambdaFaultInjection && lambdaServices.size > 0;
    const servicesChaos = fargateServices.size > 0 || lambdaChaos ? chaos(servicesScope, 'Chaos') : undefined;
    if (servicesChaos) chaosExperiments.push(servicesChaos);
    const canaryDeployments = new Map<string, LambdaCanaryDeployment>();
    for (const [name, service] of lambdaServices) {
      const alarm = lambdaErrorAlarm(servicesScope, `${name}-errors`, service, this.alertTopic);
      canaryDeployments.set(name, new LambdaCanaryDeployment(servicesScope, `${name}-canary`, { alias: service.alias, alarms: [alarm] }));
      if (lambdaChaos) servicesChaos!.addLambdaFaults(service, alarm);
    }
    this.canaryDeployments = canaryDeployments;
    for (const [name, service] of fargateServices) {
      const alarm = fargateErrorAlarm(servicesScope, `${name}-errors`, service, this.alertTopic);
      service.addRollbackAlarm(alarm);
      servicesChaos!.addStopFargateTasks(service, alarm);
    }
    if (this.kubernetes) {
      const kubernetesScope = where('kubernetes');
      const kubernetesChaos = chaos(kubernetesScope, 'KubernetesChaos');
      const alarm = unschedulablePodsAlarm(kubernetesScope, 'UnschedulablePods', this.kubernetes, this.alertTopic);
      for (const name of this.kubernetes.charts.keys()) kubernetesChaos.addDeleteKubernetesPods(this.kubernetes, name, alarm);
      chaosExperiments.push(kubernetesChaos);
    }
    this.chaosExperiments = chaosExperiments;
  }
}

function millisOrUndefined(ms: number | undefined): Duration | undefined {
  return ms === undefined ? undefined : Duration.millis(ms);
}
