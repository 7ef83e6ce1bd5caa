import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import type { ChaosExperiments } from '../chaos/chaos-experiments';
import type { ServiceRegistry } from '../discovery/service-registry';
import type { GatewayTarget } from '../gateway/edge-gateway';
import type { IGatewayLink } from '../gateway/gateway-link';
import type { LoadBalancerSeat, SeatDemand } from '../containers/shared-load-balancer';
import type { RuntimeRules } from '../model/runtime-rules';
import type { ServiceSpec, ServiceSpecBase } from '../model/service-spec';
import type { LogAggregation } from '../observability/log-aggregation';
import type { MonitoringTarget } from '../observability/monitoring-target';
import type { PlatformProfile } from '../profile';

/**
 * The runtime contract: how a service of one kind (`lambda`, `fargate`, `kubernetes`, or one a
 * library user adds) is checked and deployed. The platform is a loop over the catalog that hands
 * each spec to its runtime, then wires every capability (edge, discovery, config, flags, events,
 * calls, observability, delivery, chaos) through the {@link DeployedService} the runtime returns.
 * A runtime never needs to know those capabilities, and they never branch on the runtime.
 */

/** Reports one problem of one field of the spec being checked (the field in dotted form, e.g. `container.port`). */
export type ReportProblem = (field: string, message: string) => void;

/** What a runtime's checks may look at besides the spec itself. */
export interface SpecCheckContext {
  /** The whole catalog, for rules across services. */
  readonly catalog: readonly ServiceSpecBase[];
  /**
   * `<platform>-<environment>`, the prefix of every physical name, when known: a runtime checks the
   * length of the names it derives from it.
   */
  readonly namePrefix?: string;
}

/** What a runtime says about the specs it takes; the one validation pass runs these. */
export interface RuntimeSpecRules<S extends ServiceSpecBase = ServiceSpec> {
  /** The `runtime` value of its specs. */
  readonly name: string;
  /**
   * Top-level fields its specs may set beyond the common ones of {@link ServiceSpecBase} (for
   * example `lambda`); a spec that sets any other field is refused, naming the nearest known one.
   */
  readonly specFields: readonly string[];
  /** Checks one spec of this runtime; each problem is reported with its field. */
  checkSpec(spec: S, report: ReportProblem, context: SpecCheckContext): void;
}

/** Where the platform makes things: the layers of {@link PlatformPlacement}. */
export type PlatformLayer = 'network' | 'shared' | 'services' | 'edge' | 'kubernetes' | 'observability';

/** What a runtime is given once per platform, to deploy that platform's services of its kind. */
export interface RuntimeContext {
  /** Platform name, e.g. `shop`. */
  readonly platformName: string;
  /** Environment (profile) name, e.g. `dev`. */
  readonly environmentName: string;
  /** `<platform>-<environment>`, the prefix of physical names. */
  readonly namePrefix: string;
  /** Cost and availability settings. */
  readonly profile: PlatformProfile;
  /** The platform VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets services run in. */
  readonly serviceSubnets: ec2.SubnetSelection;
  /** The registry (its DNS namespace carries container-to-container calls). */
  readonly registry: ServiceRegistry;
  /** The topic every alarm notifies. */
  readonly alertTopic: sns.ITopic;
  /** The validated catalog, every runtime's services. */
  readonly catalog: readonly ServiceSpec[];
  /** The construct a layer is made in (the stack the stacks gave for it). */
  scopeOf(layer: PlatformLayer): Construct;
  /**
   * The one VPC link (V2) through which the edge gateway reaches the private load balancers of every
   * runtime, with its security group; made on the first call, so a platform whose routes are all
   * served by functions has none. A runtime asks for it for each service whose routes a load
   * balancer of its serves, names it in that service's `gatewayTarget`, and admits its security
   * group on that load balancer's listener.
   */
  gatewayLink(): IGatewayLink;
  /**
   * The key every service's data, logs and queues are encrypted with (made on the first call, in the
   * shared layer), which a runtime hands each service it deploys; `undefined` when the profile asks
   * for a key per service (`serviceKeys: 'per-service'`), so that each service makes its own.
   */
  serviceKey(): kms.IKey | undefined;
  /**
   * Seats on the platform's shared internal load balancers (made in the services layer as they fill,
   * 25 listeners each), one per demand, by name: a listener port that is the demand's alone. A
   * runtime whose services sit behind load balancers asks once, at bind, for all of them (a cluster
   * may ask for one seat for all its services); each adds its listener in its own scope.
   */
  loadBalancerSeats(demands: readonly SeatDemand[]): ReadonlyMap<string, LoadBalancerSeat>;
}

/** A runtime: its spec rules, and how it deploys specs of its kind. */
export interface ServiceRuntime<S extends ServiceSpecBase = ServiceSpec> extends RuntimeRules<S> {
  /**
   * The layer its services are made in.
   * @default 'services'
   */
  readonly layer?: PlatformLayer;
  /** Called once per platform that has services of this runtime, before the first of them is deployed. */
  bind(context: RuntimeContext): RuntimeDeployment<S>;
}

/** A runtime bound to one platform. */
export interface RuntimeDeployment<S extends ServiceSpecBase = ServiceSpec> {
  /** Deploys one (validated) spec in `scope`, with the construct id `spec.name`. */
  deploy(scope: Construct, spec: S): DeployedService;
  /**
   * Adds to the platform's observability what the runtime's services share, such as a cluster's
   * pod and control-plane logs; called once, after every service is deployed.
   */
  observe?(observability: RuntimeObservability): void;
}

/** What a runtime may add its shared logs and metrics to. */
export interface RuntimeObservability {
  /** The observability layer. */
  readonly scope: Construct;
  /** The central log store; `subscribe` feeds it a log group. */
  readonly logs: LogAggregation;
}

/**
 * One deployed service, as the capabilities see it. Each runtime's service construct implements it.
 */
export interface DeployedService extends IConstruct, iam.IGrantable {
  /** The spec it was made from. */
  readonly spec: ServiceSpecBase;
  /** `<platform>-<env>-<service>`: its name in X-Ray and the base of its physical names. */
  readonly deployedName: string;
  /** Its network side: callees let these in. Undefined when the service's code does not run in the VPC. */
  readonly connections?: ec2.Connections;
  /** What callers find in the registry (Cloud Map instance attributes: runtime, URL or ARN). */
  readonly discoveryAttributes: Readonly<Record<string, string>>;
  /** What the edge sends the service's routes to; undefined when the runtime cannot serve routes there. */
  readonly gatewayTarget?: GatewayTarget;
  /** The key of its data, logs and queues (its own, or the platform's service key): what the platform makes for it, such as its event queues, is encrypted with it. */
  readonly dataKey: kms.IKey;
  /** A function workflows (sagas) invoke with an action; undefined when the runtime has none to invoke. */
  readonly invokeTarget?: lambda.IFunction;
  /** Its log groups, each fed to the central log store. */
  readonly logGroups: readonly logs.ILogGroup[];
  /** What its dashboard and alarms watch. */
  readonly monitoringTarget: MonitoringTarget;
  /** How long it may take to handle one delivery of events; a consumer queue's visibility timeout is derived from it. */
  readonly eventHandlingTimeout: Duration;
  /** Failed requests (function errors, 5xx answers), summed per period: the delivery and flag alarms read it. */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Gives the service's code one more environment variable. */
  addEnvironment(name: string, value: string): void;
  /** Lets a service that declares this one in `calls` reach it: the network path and any invoke permission. */
  allowCallsFrom(caller: DeployedService): void;
  /** Hands the service the messages of a queue the bus delivers its consumed events to. */
  receiveEvents(queue: sqs.IQueue): void;
  /**
   * While the alarm fires during a rollout of a new version, the rollout stops and rolls back.
   * Undefined where the runtime's rollouts take no alarm.
   */
  addRollbackAlarm?(alarm: cloudwatch.IAlarm): void;
  /**
   * Adds the fault experiments that fit the runtime, each stopped by the alarm, to the experiments
   * of its layer (made on first use, so a service that adds none costs nothing).
   */
  addChaosExperiments?(experiments: () => ChaosExperiments, stopCondition: cloudwatch.IAlarm): void;
}
