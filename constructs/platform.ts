import { Stack, Tags } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ChaosExperiments } from './chaos/chaos-experiments';
import { LambdaMicroservice } from './compute/lambda-microservice';
import { ConfigStore } from './config/config-store';
import { FeatureFlags } from './config/feature-flags';
import { FargateMicroservice } from './containers/fargate-microservice';
import type { ServiceImageRepository } from './containers/image-repository';
import type { PlatformCluster } from './containers/platform-cluster';
import type { LambdaCanaryDeployment } from './delivery/lambda-canary-deployment';
import { serviceErrorAlarm } from './delivery/rollback-alarms';
import { ServiceRegistry } from './discovery/service-registry';
import { EdgeGateway, type GatewayBackend } from './gateway/edge-gateway';
import { GatewayLink } from './gateway/gateway-link';
import { PlatformIdentity, type PlatformIdentityProps } from './identity/platform-identity';
import type { KubernetesPlatform } from './kubernetes/kubernetes-platform';
import { EventBackbone } from './messaging/event-backbone';
import type { EventConsumer } from './messaging/event-consumer';
import { ConstructPropError } from './model/errors';
import type { SagaActionSpec, SagaSpec } from './model/saga-spec';
import type { ServiceSpec } from './model/service-spec';
import { validatePlatform } from './model/validate-platform';
import { PlatformNetwork } from './network/platform-network';
import { AlertTopic } from './observability/alert-topic';
import { PlatformBudget } from './observability/platform-budget';
import type { ClusterObservability } from './observability/cluster-observability';
import { LogAggregation } from './observability/log-aggregation';
import { PlatformOverview } from './observability/platform-overview';
import { PlatformTracing } from './observability/platform-tracing';
import { ServiceMonitoring } from './observability/service-monitoring';
import { DEV_PROFILE, type PlatformProfile } from './profile';
import { FargateRuntimeDeployment, fargateRuntime } from './runtimes/fargate/fargate-runtime';
import { KubernetesRuntimeDeployment, kubernetesRuntime } from './runtimes/kubernetes/kubernetes-runtime';
import { lambdaRuntime } from './runtimes/lambda/lambda-runtime';
import type { DeployedService, PlatformLayer, RuntimeContext, RuntimeDeployment, ServiceRuntime } from './runtimes/service-runtime';
import { EncryptionKey } from './security/encryption-key';
import { type LoadBalancerSeat, type SeatDemand, SeatPlanner, SharedLoadBalancer } from './containers/shared-load-balancer';
import { AccessLogBucket } from './observability/access-log-bucket';
import { Saga } from './workflow/saga';

/**
 * Where each layer of the platform is made. Give a stack per lifecycle to split the platform;
 * leave a layer out to make it inside the MicroservicePlatform itself (which must then sit in a stack).
 * A layer is read only when the platform has something to make in it, so a placement whose
 * properties make stacks on first read makes no empty stack.
 *
 * What grows with the catalog is each service's own: give `service` (a stack per service) and every
 * stack stays within CloudFormation's limits whatever the number of services, since each service's
 * stack holds that one service with its config, registration, subscription, routes, alarms, dashboard
 * and experiments, and the layers hold only what the services share.
 */
export interface PlatformPlacement {
  /** The VPC. */
  readonly network?: Construct;
  /** Registry, config store, identity and tracing: shared by every service. */
  readonly shared?: Construct;
  /**
   * What the services of a runtime share (the ECS cluster, the chaos experiments' key, log
   * group and bucket) and, without `service`, the services themselves.
   */
  readonly services?: Construct;
  /**
   * Where each service is made, with everything that is its own: its runtime's constructs, config
   * parameters, registration, event subscription, rollback alarm, alarms (and a dashboard of its own when its runtime offers no shared one), chaos
   * experiments and its routes at the edge (the edge's stage then follows them, in `edgeStage`).
   * Called once per service, in catalog order, with the layer its runtime names; return a stack of
   * its own to split the platform by service.
   * @default - the layer of its runtime (`services` unless the runtime says otherwise)
   */
  readonly service?: (spec: ServiceSpec, layer: PlatformLayer) => Construct;
  /** The edge gateway: the REST API, its authorizer, firewall and access logs. */
  readonly edge?: Construct;
  /**
   * The edge's deployment and stage (with the firewall association and the front ends' usage plans),
   * which must follow every route. When services have scopes of their own (`service`) in other stacks,
   * their routes are made with them, so this must be a stack of its own.
   * @default - the edge layer
   */
  readonly edgeStage?: Construct;
  /** The EKS cluster and the kubernetes services on it (made only when the catalog has any). */
  readonly kubernetes?: Construct;
  /**
   * The sagas, whose state machines invoke the services (so they follow them).
   * @default - the services layer
   */
  readonly sagas?: Construct;
  /**
   * Central logs (OpenSearch and its pipeline), a log subscription per service log group, and the
   * platform overview. It reads from every other layer, so its stack depends on theirs.
   * @default - the edge stage, else the edge layer, when given (they too are made after the services), else this construct
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
   * there by the delivery pipeline (an immutable tag, e.g. the commit ID). Used by the default
   * fargate runtime.
   * @default - images built from each Dockerfile as CDK assets at deploy time
   */
  readonly imageTag?: string;
  /**
   * The runtimes the catalog's specs name, by their `name`: a runtime given here replaces the
   * built-in one of the same name, and any other is added (a library user's own runtime).
   * @default - lambda, fargate (with `imageTag`) and kubernetes (with `kubernetesAdminRole`)
   */
  readonly runtimes?: readonly ServiceRuntime<any>[];
}

/**
 * The whole platform from a service catalog: network, registry, config store, identity, tracing,
 * and the alert topic; then each service, deployed by the runtime its spec names; then every
 * capability wired to every service through the one runtime contract ({@link DeployedService}):
 * registration, config, feature flags, events, calls, sagas, the edge gateway, central logs,
 * dashboards and alarms, rollback alarms and chaos experiments. No capability branches on a
 * runtime, so a runtime added by a library user (`runtimes`) gets every one of them.
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
  /** The validated catalog. */
  public readonly services: readonly ServiceSpec[];
  /** Every deployed service, by name, whatever its runtime. */
  public readonly deployedServices: ReadonlyMap<string, DeployedService>;
  /** Each runtime the catalog uses, bound to this platform, by runtime name. */
  public readonly runtimeDeployments: ReadonlyMap<string, RuntimeDeployment<any>>;
  /** Feature flags on AppConfig, when any service declares some. */
  public readonly featureFlags?: FeatureFlags;
  /** The edge gateway, when any service has routes. */
  public readonly gateway?: EdgeGateway;
  /** The event bus, its archive and the messaging alarm topic, when any service publishes or consumes events. */
  public readonly events?: EventBackbone;
  /** Each consuming service's subscription to the bus (rule, queue, dead-letter queue), by service name. */
  public readonly eventConsumers: ReadonlyMap<string, EventConsumer>;
  /** Sagas by name. */
  public readonly sagas: ReadonlyMap<string, Saga>;
  /** The SNS topic every alarm notifies. */
  public readonly alerts: AlertTopic;
  /** Topic the deployment alarms notify: the platform alert topic (`alerts.topic`). */
  public readonly alertTopic: sns.ITopic;
  /** The dashboards services share in place of one each, by key (`lambda-services`: every Lambda service, picked by a selector). */
  public readonly sharedDashboards: ReadonlyMap<string, cloudwatch.Dashboard>;
  /** The monthly budget of the environment, when its profile sets one (`monthlyBudgetUsd`). */
  public readonly budget?: PlatformBudget;
  /**
   * The key the services share for their data, logs and queues (unless the profile asks for a key
   * per service); undefined until a runtime asks for it.
   */
  public get serviceKey(): kms.IKey | undefined {
    return this.sharedServiceKey?.key;
  }
  private sharedServiceKey?: EncryptionKey;
  /** The internal load balancers the container services share (a listener port each), in the services layer. */
  public readonly sharedLoadBalancers: readonly SharedLoadBalancer[];
  /** The central log store and the pipeline every service log group feeds. */
  public readonly logs: LogAggregation;
  /** Dashboard and alarms of each service, by service name. */
  public readonly monitoring: ReadonlyMap<string, ServiceMonitoring>;
  /** The platform overview dashboard. */
  public readonly overview: PlatformOverview;
  /** The alarm each service's rollouts roll back on (and its chaos experiments stop on), by service name. */
  public readonly rollbackAlarms: ReadonlyMap<string, ReturnType<typeof serviceErrorAlarm>>;
  /** The FIS experiments, one set per layer that has any. */
  public readonly chaosExperiments: readonly ChaosExperiments[];

  constructor(scope: Construct, id: string, props: MicroservicePlatformProps) {
    super(scope, id);
    const profile = props.profile ?? DEV_PROFILE;
    const platformName = props.platformName;
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(platformName)) {
      throw ConstructPropError.of(this, 'platformName', `'${platformName}' must be 1 to 16 lowercase letters, digits or hyphens, starting with a letter`);
    }
    const runtimes = runtimesByName(props);
    // One pass over everything before any resource is made: services by their runtimes' rules, sagas, names.
    this.services = validatePlatform({ platformName, profile, services: props.services, sagas: props.sagas, runtimes: [...runtimes.values()] }) as readonly ServiceSpec[];
    const sagaSpecs = props.sagas ?? [];

    const placement = props.placement ?? {};
    // Everything the platform makes carries its name and environment: the budget counts by these tags.
    const costTags = { platform: platformName, environment: profile.name };
    const tagged = new Set<Construct>();
    const tag = (scope: Construct): Construct => {
      if (!tagged.has(scope)) {
        tagged.add(scope);
        for (const [key, value] of Object.entries(costTags)) Tags.of(scope).add(key, value);
      }
      return scope;
    };
    const scopeOf = (layer: PlatformLayer): Construct => {
      const target = layer === 'observability' ? placement.observability ?? placement.edgeStage ?? placement.edge : placement[layer];
      if (target) return tag(target);
      try {
        Stack.of(this);
      } catch {
        throw ConstructPropError.of(this, `placement.${layer}`, 'is missing and the platform is not inside a stack; give a stack for every layer, or create the platform inside a stack');
      }
      return tag(this);
    };
    const environmentName = profile.name;
    const prefix = `${platformName}-${environmentName}`;
    const retainData = profile.retainData;

    // ---- What every service shares. ----------------------------------------------------------------
    this.network = new PlatformNetwork(scopeOf('network'), 'Network', {
      maxAzs: profile.maxAzs,
      natGateways: profile.natGateways,
      natInstance: profile.natInstance,
      flowLogRetention: profile.logRetention,
      retainData,
    });
    const shared = scopeOf('shared');
    this.registry = new ServiceRegistry(shared, 'Registry', {
      vpc: this.network.vpc,
      httpNamespaceName: prefix,
      dnsNamespaceName: `${environmentName}.${platformName}.internal`,
    });
    // Each service's parameters are made beside it when it is bound, below.
    this.config = new ConfigStore(shared, 'Config', { platformName, environmentName });
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
    this.alertTopic = this.alerts.topic;
    if (profile.monthlyBudgetUsd !== undefined) {
      this.budget = new PlatformBudget(shared, 'Budget', { budgetName: `${prefix}-monthly`, monthlyLimitUsd: profile.monthlyBudgetUsd, alertTopic: this.alerts, costTags });
    }
    if (sagaSpecs.length > 0 || this.services.some((spec) => spec.events?.publishes?.length || spec.events?.consumes?.length)) {
      this.events = new EventBackbone(shared, 'Events', { busName: `${prefix}-events`, retainData, alarmTopic: this.alerts.topic });
    }

    // ---- Each service, by its runtime. -------------------------------------------------------------
    let gatewayLink: GatewayLink | undefined;
    // One key for every service: $1 a month each adds up over hundreds of services, and a key per
    // service buys no isolation here, since each table, queue and log group is granted by IAM to its
    // own service alone; the key only admits the AWS services that use it on their behalf.
    const serviceKey = () => {
      if (profile.serviceKeys === 'per-service') return undefined;
      this.sharedServiceKey ??= new EncryptionKey(shared, 'ServiceKey', {
        description: `Encrypts the data, logs and queues of the services of ${prefix}; each resource is granted to its own service only`,
        retain: retainData,
        pendingWindow: profile.keyPendingWindow,
        aliasName: `alias/${prefix}/services`,
      });
      return this.sharedServiceKey.key;
    };
    // The internal load balancers the runtimes share, seated in the order the runtimes ask.
    const seatPlanner = new SeatPlanner();
    const sharedLoadBalancers: SharedLoadBalancer[] = [];
    let accessLogs: AccessLogBucket | undefined;
    const loadBalancerSeats = (demands: readonly SeatDemand[]): ReadonlyMap<string, LoadBalancerSeat> => {
      const seats = new Map<string, LoadBalancerSeat>();
      for (const [name, planned] of seatPlanner.place(demands)) {
        for (let index = sharedLoadBalancers.length; index <= planned.loadBalancer; index++) {
          accessLogs ??= new AccessLogBucket(shared, 'AccessLogs');
          sharedLoadBalancers.push(new SharedLoadBalancer(scopeOf('services'), index === 0 ? 'LoadBalancer' : `LoadBalancer${index + 1}`, {
            vpc: this.network.vpc,
            vpcSubnets: this.network.serviceSubnets,
            accessLogs,
            accessLogPrefix: `${platformName}/${environmentName}/containers-${index + 1}`,
            purpose: `the container services of ${prefix}${index === 0 ? '' : ` (${index + 1})`}`,
            deletionProtection: retainData,
          }));
        }
        seats.set(name, sharedLoadBalancers[planned.loadBalancer].seat(planned.port));
      }
      return seats;
    };
    this.sharedLoadBalancers = sharedLoadBalancers;
    const context: RuntimeContext = {
      platformName,
      environmentName,
      namePrefix: prefix,
      profile,
      vpc: this.network.vpc,
      serviceSubnets: this.network.serviceSubnets,
      registry: this.registry,
      alertTopic: this.alerts.topic,
      catalog: this.services,
      scopeOf,
      gatewayLink: () => (gatewayLink ??= new GatewayLink(shared, 'GatewayLink', { vpc: this.network.vpc, subnets: this.network.serviceSubnets, vpcLinkName: `${prefix}-gateway` })),
      serviceKey,
      loadBalancerSeats,
    };
    const deployments = new Map<string, RuntimeDeployment<any>>();
    const services = new Map<string, DeployedService>();
    const layers = new Map<string, PlatformLayer>();
    for (const spec of this.services) {
      const runtime = runtimes.get(spec.runtime)!;
      let deployment = deployments.get(runtime.name);
      if (deployment === undefined) deployments.set(runtime.name, (deployment = runtime.bind(context)));
      const layer = runtime.layer ?? 'services';
      services.set(spec.name, deployment.deploy(tag(placement.service?.(spec, layer) ?? scopeOf(layer)), spec));
      layers.set(spec.name, layer);
    }
    this.runtimeDeployments = deployments;
    this.deployedServices = services;

    // ---- Every capability, through the runtime contract. ---------------------------------------------
    const flagged = this.services.filter((spec) => spec.featureFlags !== undefined);
    if (flagged.length > 0) {
      this.featureFlags = new FeatureFlags(shared, 'FeatureFlags', {
        applicationName: prefix,
        alarmTopic: this.alerts.topic,
        environmentName,
        metricsNamespace: platformName,
        services: flagged.map((spec) => ({ spec, errors: services.get(spec.name)!.metricErrors() })),
        retain: retainData,
      });
    }
    const eventConsumers = new Map<string, EventConsumer>();
    for (const service of services.values()) {
      this.registry.register(service);
      this.config.bindService(service);
      if (service.spec.featureFlags) this.featureFlags!.bindService(service);
      const consumer = this.events?.connect(service);
      if (consumer) eventConsumers.set(service.spec.name, consumer);
      for (const callee of service.spec.calls ?? []) services.get(callee)!.allowCallsFrom(service);
    }
    this.eventConsumers = eventConsumers;

    const sagas = new Map<string, Saga>();
    const action = (saga: SagaSpec, spec: SagaActionSpec) => {
      const target = services.get(spec.service)?.invokeTarget;
      if (target === undefined) throw ConstructPropError.of(this, 'sagas', `'${saga.name}' invokes '${spec.service}', whose runtime has no function a saga can invoke`);
      return { function: target, action: spec.action };
    };
    const sagaScope = sagaSpecs.length > 0 ? new Construct(placement.sagas ?? scopeOf('services'), 'Sagas') : undefined;
    for (const saga of sagaSpecs) {
      sagas.set(
        saga.name,
        new Saga(sagaScope!, saga.name, {
          stateMachineName: `${prefix}-${saga.name}`,
          trigger: { bus: this.events!.bus, eventType: saga.startOn },
          steps: saga.steps.map((step) => ({ name: step.name, invoke: action(saga, step.invoke), compensate: action(saga, step.compensate) })),
          complete: action(saga, saga.complete),
          reject: action(saga, saga.reject),
          alarmTopic: this.events!.alarmTopic,
          logRetention: profile.logRetention,
          retainData,
        }),
      );
    }
    this.sagas = sagas;

    const backends: GatewayBackend[] = [];
    for (const service of services.values()) {
      if ((service.spec.routes ?? []).length > 0 && service.gatewayTarget) backends.push({ spec: service.spec, ...service.gatewayTarget });
    }
    if (backends.length > 0) {
      this.gateway = new EdgeGateway(scopeOf('edge'), 'Gateway', {
        apiName: `${prefix}-edge`,
        stageName: environmentName,
        identity: this.identity,
        backends,
        throttleRateLimit: profile.throttleRateLimit,
        throttleBurstLimit: profile.throttleBurstLimit,
        logRetention: profile.logRetention,
        retainData,
        configureAccountLogging: props.configureAccountLogging,
        // Its access logs are the services' requests: the services' key encrypts them (a key of its own unless keys are per service).
        encryptionKey: serviceKey(),
        // With a scope per service, each service's routes are made with it, and the stage follows them all.
        routeScope: placement.service ? (backend) => services.get(backend.spec.name)! : undefined,
        stageScope: placement.edgeStage,
      });
    }

    // ---- Observability: every service's log groups, alarms and dashboard (its own or a shared one). ----
    const observability = scopeOf('observability');
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
    for (const deployment of deployments.values()) deployment.observe?.({ scope: observability, logs: this.logs });
    if (this.gateway) this.logs.subscribe('gateway-access', this.gateway.accessLogGroup);
    const gatewayStage = this.gateway ? { apiName: `${prefix}-edge`, stageName: environmentName } : undefined;
    const monitoring = new Map<string, ServiceMonitoring>();
    const sharedDashboards = new Map<string, cloudwatch.Dashboard>();
    for (const service of services.values()) {
      service.logGroups.forEach((logGroup, index) => this.logs.subscribe(index === 0 ? service.spec.name : `${service.spec.name}-${index}`, logGroup));
      const target = service.monitoringTarget;
      // Services of a kind that share a dashboard (one for all Lambda services) get it once, in the observability layer.
      const shared = target.sharedDashboard;
      if (shared && !sharedDashboards.has(shared.key)) sharedDashboards.set(shared.key, shared.create(observability, `Dashboards-${shared.key}`, prefix));
      // Its alarms (and its own dashboard, when it shares none) beside the service, so the observability layer does not grow with the catalog.
      monitoring.set(service.spec.name, new ServiceMonitoring(service, 'Monitoring', {
        spec: service.spec,
        namePrefix: prefix,
        alertTopic: this.alerts.topic,
        target,
        gateway: service.gatewayTarget ? gatewayStage : undefined,
        dashboard: shared === undefined,
      }));
    }
    this.monitoring = monitoring;
    this.sharedDashboards = sharedDashboards;
    this.overview = new PlatformOverview(observability, 'Overview', {
      namePrefix: prefix,
      alertTopic: this.alerts.topic,
      services: [...monitoring.values()],
      gateway: this.gateway ? { api: this.gateway.api, stageName: environmentName } : undefined,
    });

    // ---- Delivery and chaos. ----------------------------------------------------------------------
    // Each service's rollouts roll back on an error alarm made beside the service (the observability
    // layer's alarms cannot be used: that stack depends on the services, so a reference back would be
    // a cycle); the same alarm stops its chaos experiments, one set of experiments per layer.
    const chaos = new Map<PlatformLayer, ChaosExperiments>();
    const chaosOf = (layer: PlatformLayer) => () => {
      let experiments = chaos.get(layer);
      if (experiments === undefined) {
        const id = layer === 'services' ? 'Chaos' : `${layer[0].toUpperCase()}${layer.slice(1)}Chaos`;
        experiments = new ChaosExperiments(scopeOf(layer), id, { namePrefix: prefix, taskStopPercent: profile.chaosTaskStopPercent, logRetention: profile.logRetention, retainData });
        chaos.set(layer, experiments);
      }
      return experiments;
    };
    const rollbackAlarms = new Map<string, ReturnType<typeof serviceErrorAlarm>>();
    for (const service of services.values()) {
      const alarm = serviceErrorAlarm(service, 'RollbackAlarm', this.alerts.topic);
      rollbackAlarms.set(service.spec.name, alarm);
      service.addRollbackAlarm?.(alarm);
      service.addChaosExperiments?.(chaosOf(layers.get(service.spec.name)!), alarm);
    }
    this.rollbackAlarms = rollbackAlarms;
    this.chaosExperiments = [...chaos.values()];
  }

  /** Lambda services by name. */
  public get lambdaServices(): ReadonlyMap<string, LambdaMicroservice> {
    return servicesOfType(this.deployedServices, LambdaMicroservice);
  }

  /** Fargate services by name. */
  public get fargateServices(): ReadonlyMap<string, FargateMicroservice> {
    return servicesOfType(this.deployedServices, FargateMicroservice);
  }

  /** The canary deployment of each Lambda service, by name. */
  public get canaryDeployments(): ReadonlyMap<string, LambdaCanaryDeployment> {
    return new Map([...this.lambdaServices].flatMap(([name, service]) => (service.canaryDeployment ? [[name, service.canaryDeployment] as const] : [])));
  }

  /** The ECS cluster, when any service runs on Fargate. */
  public get cluster(): PlatformCluster | undefined {
    return this.runtimeDeploymentOfType(FargateRuntimeDeployment)?.cluster;
  }

  /** Image repositories of the Fargate services, by service name, for the delivery pipeline. */
  public get imageRepositories(): ReadonlyMap<string, ServiceImageRepository> {
    return this.runtimeDeploymentOfType(FargateRuntimeDeployment)?.imageRepositories ?? new Map();
  }

  /** The EKS cluster and its services, when the catalog has kubernetes services. */
  public get kubernetes(): KubernetesPlatform | undefined {
    return this.runtimeDeploymentOfType(KubernetesRuntimeDeployment)?.platform;
  }

  /** Pod logs and Container Insights of the EKS cluster, when there is one. */
  public get clusterObservability(): ClusterObservability | undefined {
    return this.runtimeDeploymentOfType(KubernetesRuntimeDeployment)?.clusterObservability;
  }

  private runtimeDeploymentOfType<T extends RuntimeDeployment<any>>(type: abstract new (...args: any[]) => T): T | undefined {
    return [...this.runtimeDeployments.values()].find((deployment): deployment is T => deployment instanceof type);
  }
}

/** The built-in runtimes, with the ones given in `props.runtimes` replacing or adding to them. */
function runtimesByName(props: MicroservicePlatformProps): Map<string, ServiceRuntime<any>> {
  const runtimes = new Map<string, ServiceRuntime<any>>();
  for (const runtime of [lambdaRuntime(), fargateRuntime({ imageTag: props.imageTag }), kubernetesRuntime({ adminRole: props.kubernetesAdminRole }), ...(props.runtimes ?? [])]) {
    runtimes.set(runtime.name, runtime);
  }
  return runtimes;
}

function servicesOfType<T extends DeployedService>(services: ReadonlyMap<string, DeployedService>, type: abstract new (...args: any[]) => T): ReadonlyMap<string, T> {
  return new Map([...services].filter((entry): entry is [string, T] => entry[1] instanceof type));
}
