import * as path from 'node:path';
import { Duration, IgnoreMode, Lazy, Size, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { ConfigStore } from '../config/config-store';
import type { ServiceRegistry } from '../discovery/service-registry';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import { ContainerSpec, FargateServiceSpec, ShutdownBudget, shutdownBudgetOf } from '../model/service-spec';
import type { ChaosExperiments } from '../chaos/chaos-experiments';
import type { GatewayTarget } from '../gateway/edge-gateway';
import type { IGatewayLink } from '../gateway/gateway-link';
import type { MonitoringTarget } from '../observability/monitoring-target';
import { fargateMonitoring } from '../runtimes/fargate/fargate-monitoring';
import type { DeployedService } from '../runtimes/service-runtime';
import { validateServiceSpec } from '../model/validate-platform';
import { AccessLogBucket } from '../observability/access-log-bucket';
import { createServiceTable, grantServiceTable } from '../data/service-table';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { COLLECTOR_OTLP_HTTP_ENDPOINT, COLLECTOR_USER, DEFAULT_COLLECTOR_IMAGE, collectorConfig, grantCollector } from '../observability/otel-collector';
import { EncryptionKey } from '../security/encryption-key';
import { containerTargetGroupProps } from './container-target-group';
import type { PlatformCluster } from './platform-cluster';
import { type LoadBalancerSeat, importSeatedLoadBalancer, internalLoadBalancer, jsonNotFoundListener } from './shared-load-balancer';

/** Props of a FargateMicroservice. */
export interface FargateMicroserviceProps {
  /** The service's spec; its runtime must be `fargate`. */
  readonly spec: FargateServiceSpec;
  /** Platform name; with the environment it prefixes names, e.g. `shop-dev-catalog`. */
  readonly platformName: string;
  /** Environment name. */
  readonly environmentName: string;
  /** The cluster to run in (its VPC is the service's VPC). */
  readonly cluster: PlatformCluster;
  /**
   * Subnets for the tasks and the internal load balancer.
   * @default - private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The registry: its DNS namespace carries Service Connect (container-to-container calls), its HTTP
   * namespace the service's load balancer endpoint for everything else (Lambda, the gateway).
   */
  readonly registry: ServiceRegistry;
  /**
   * Register the service in the registry's HTTP namespace (`registry.register`). The platform turns
   * this off and registers every service, of every runtime, itself.
   * @default true
   */
  readonly register?: boolean;
  /**
   * The VPC link the edge gateway reaches the load balancer through, and its security group (let in
   * on the listener port when the spec has routes).
   * @default - the service is not offered to a gateway (`gatewayTarget` is undefined)
   */
  readonly gatewayLink?: IGatewayLink;
  /**
   * Config store holding the spec's config; the task may read its own path only.
   * @default - not wired to a config store (the platform binds every service with `ConfigStore.bindService`)
   */
  readonly config?: ConfigStore;
  /**
   * Where its own internal load balancer writes its access logs; required unless it has a
   * `loadBalancerSeat` (a shared load balancer logs to its own bucket).
   */
  readonly accessLogs?: AccessLogBucket;
  /**
   * A seat on an internal load balancer shared with other services (`SharedLoadBalancer.seat`): the
   * service adds its listener on the seat's port, its rule and target groups, and admits its callers
   * on that port only, all in its own scope.
   * @default - an internal load balancer of its own, listening on port 80
   */
  readonly loadBalancerSeat?: LoadBalancerSeat;
  /**
   * The key its data, logs and queues are encrypted with, when it shares one (the platform's
   * service key, `RuntimeContext.serviceKey`). Its table, queues and log group stay its own through
   * their IAM grants; the key only has to admit the AWS services that use it on their behalf.
   * @default - a key of its own
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Keep the table, key and logs when the stack is deleted; protect table and load balancer from deletion.
   * @default false
   */
  readonly retainData?: boolean;
  /**
   * Log retention (at least one year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Seconds a cached config value is served before it is read again.
   * @default 60
   */
  readonly configMaxAgeSeconds?: number;
  /**
   * Least share of the desired tasks that must stay healthy during a deployment (percent).
   * @default 100
   */
  readonly minHealthyPercent?: number;
  /**
   * How long Service Connect lets one call to this service take (its callers' resilience policies
   * give it: the longest attempt timeout any of them declares for this service).
   * @default Duration.seconds(15)
   */
  readonly serviceConnectRequestTimeout?: Duration;
  /**
   * Share of requests the service traces when its caller has not decided (0 to 1); a caller's
   * sampling decision (the gateway's, in the trace header) is followed.
   * @default 0.05
   */
  readonly traceSampleRate?: number;
  /**
   * Image of the OpenTelemetry collector beside the service.
   * @default DEFAULT_COLLECTOR_IMAGE
   */
  readonly collectorImage?: string;
  /**
   * The app image from a repository and an immutable tag (the delivery pipeline builds and pushes
   * it). Ignored when the spec pins `container.image`.
   * @default - built from the spec's Dockerfile as a CDK asset at deploy time
   */
  readonly image?: { readonly repository: ecr.IRepository; readonly tag: string };
  /**
   * How a new task definition rolls out. `blue-green`: ECS's native blue/green (a second target
   * group, the production listener rule shifted at once, the bake time, rollback on alarms).
   * `rolling`: tasks replaced in place. Both keep the circuit breaker with rollback.
   * @default 'blue-green'
   */
  readonly deploymentStrategy?: 'blue-green' | 'rolling';
  /**
   * Blue/green: how long the old tasks stay ready to take the traffic back after the shift.
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
  /**
   * Alarms that roll a deployment back when any fires during it (or its bake time); more with `addRollbackAlarm`.
   * @default - none (the circuit breaker still rolls back tasks that fail to start)
   */
  readonly rollbackAlarms?: readonly cloudwatch.IAlarm[];
}

const APP_CONTAINER = 'app';
const COLLECTOR_CONTAINER = 'otel-collector';
const PORT_NAME = 'http';
/** Hard memory limit of the collector; the app container gets the rest of the task's memory. */
const COLLECTOR_MEMORY_MIB = 128;
const LISTENER_PORT = 80;
/** Service Connect: how long a call may take (unless the callers' policies say), and how long an idle connection is kept. */
const SERVICE_CONNECT_REQUEST_TIMEOUT = Duration.seconds(15);
const SERVICE_CONNECT_IDLE_TIMEOUT = Duration.seconds(60);
/** How long a container process may take over one batch of events (a queue's visibility timeout is derived from it). */
export const CONTAINER_EVENT_HANDLING_TIMEOUT = Duration.seconds(30);

/**
 * One microservice on ECS Fargate, made from its spec: the image built from the service's
 * Dockerfile, a task of the app container (non-root, read-only root filesystem with a writable
 * /tmp, health-checked, logs to an encrypted log group) and an OpenTelemetry collector beside it;
 * a service in the private subnets with a deployment circuit breaker that rolls back, target
 * tracking on CPU and requests between the spec's bounds, Service Connect for callers in the
 * cluster, an internal load balancer for everything else, registered in Cloud Map by name;
 * its own table, key and log group; and a task role that can touch only what the service owns.
 *
 * The shutdown budget of the spec (pre-stop, drain, stop timeout, deregistration delay) is checked
 * first and then applied to the process (which keeps serving for the pre-stop interval after
 * SIGTERM, as ECS has no preStop hook), the container and the target group.
 */
export class FargateMicroservice extends Construct implements DeployedService {
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The app container. */
  public readonly container: ecs.ContainerDefinition;
  /** The internal load balancer in front of the tasks: its own, or the shared one it has a seat on. */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** `app/<name>/<id>` of that load balancer, the `LoadBalancer` dimension of its metrics. */
  public readonly loadBalancerFullName: string;
  /** Its listener, on a port that is this service's alone. */
  public readonly listener: elbv2.ApplicationListener;
  /** The listener's port. */
  public readonly listenerPort: number;
  /** The tasks' target group (blue/green: the one production traffic goes to at the first deployment). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Blue/green: the second target group, which a deployment fills before the shift. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** Blue/green: the listener rule whose target group a deployment switches. */
  public readonly productionRule?: elbv2.ApplicationListenerRule;
  /** How a new task definition rolls out. */
  public readonly deploymentStrategy: 'blue-green' | 'rolling';
  private readonly rollbackAlarms: cloudwatch.IAlarm[] = [];
  /** The service's own table, if the spec declares one. */
  public readonly table?: dynamodb.Table;
  /** The key of its table and logs: its own, or the one it was given to share. */
  public readonly dataKey: kms.IKey;
  /** Its own key, when it was given none to share (`dataKey` is the key in use either way). */
  public readonly encryptionKey?: EncryptionKey;
  /** The app and collector log group. */
  public readonly logGroup: logs.ILogGroup;
  /** Metrics (EMF) the collector writes. */
  public readonly metricsLogGroup: logs.LogGroup;
  /** The role the task's code runs with. */
  public readonly taskRole: iam.Role;
  /** The Cloud Map service (HTTP namespace) holding the load balancer endpoint, unless `register` is off. */
  public readonly registration?: servicediscovery.Service;
  /** CloudWatch namespace of the metrics its code and collector write (the platform name). */
  public readonly metricsNamespace: string;
  /** Service name, `<platform>-<env>-<service>`; also the name in X-Ray. */
  public readonly serviceName: string;
  /** The shutdown timings applied. */
  public readonly shutdown: ShutdownBudget;
  /** The base URL other services and the gateway reach it at (through the internal load balancer). */
  public readonly url: string;
  /** The spec this was made from. */
  public readonly spec: FargateServiceSpec;
  /** The task role: grants to the service go to it. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** What callers find in the registry: the load balancer URL, and the Service Connect address for containers. */
  public readonly discoveryAttributes: Readonly<Record<string, string>>;
  /** The internal load balancer through the gateway's VPC link, when one is given. */
  public readonly gatewayTarget?: GatewayTarget;
  /** How long the process may take over one batch of events from its queue. */
  public readonly eventHandlingTimeout = CONTAINER_EVENT_HANDLING_TIMEOUT;

  constructor(scope: Construct, id: string, props: FargateMicroserviceProps) {
    super(scope, id);
    const spec = props.spec;
    this.spec = spec;
    if (spec.runtime !== 'fargate' || spec.container === undefined) {
      throw ConstructPropError.of(this, 'spec', `describes '${spec.name}' with runtime '${spec.runtime}'${spec.container ? '' : ' and no container settings'}; a FargateMicroservice needs runtime 'fargate' with { container: { port, cpu, memoryMiB, healthCheckPath, dockerfileDirectory } }`);
    }
    // The same checks as for a whole catalog, so a construct used on its own fails as clearly.
    try {
      validateServiceSpec(spec, { namePrefix: `${props.platformName}-${props.environmentName}` });
    } catch (error) {
      throw ConstructPropError.of(this, 'spec', `is not valid:\n${(error as Error).message}`);
    }
    const minHealthyPercent = props.minHealthyPercent ?? 100;
    if (!Number.isInteger(minHealthyPercent) || minHealthyPercent < 0 || minHealthyPercent > 100) {
      throw ConstructPropError.of(this, 'minHealthyPercent', `is ${minHealthyPercent}; expected a whole percentage from 0 to 100`);
    }
    const traceSampleRate = props.traceSampleRate ?? 0.05;
    if (!(traceSampleRate >= 0 && traceSampleRate <= 1)) {
      throw ConstructPropError.of(this, 'traceSampleRate', `is ${traceSampleRate}; expected a share from 0 to 1`);
    }
    this.deploymentStrategy = props.deploymentStrategy ?? 'blue-green';
    const blueGreen = this.deploymentStrategy === 'blue-green';
    const bakeTime = props.bakeTime ?? Duration.minutes(5);
    if (!bakeTime.isUnresolved() && (bakeTime.toSeconds() % 60 !== 0 || bakeTime.toMinutes() > 1440)) {
      throw ConstructPropError.of(this, 'bakeTime', `is ${bakeTime.toHumanString()}; expected whole minutes from 0 to 1440`);
    }
    const container: ContainerSpec = spec.container;
    this.serviceName = `${props.platformName}-${props.environmentName}-${spec.name}`;
    this.metricsNamespace = props.platformName;
    // Its length (a load balancer name: 32 at most) is checked with the spec, by the fargate rules.
    this.shutdown = shutdownBudgetOf(container);
    const retain = props.retainData ?? false;
    const vpc = props.cluster.cluster.vpc;
    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    if (props.encryptionKey === undefined) {
      this.encryptionKey = new EncryptionKey(this, 'Key', { description: `Encrypts the data and logs of ${this.serviceName}`, retain });
    }
    const key = props.encryptionKey ?? this.encryptionKey!.key;
    this.dataKey = key;
    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: key,
      retention: props.logRetention,
      retain,
      logGroupName: `/ecs/${props.platformName}/${props.environmentName}/${spec.name}`,
    }).logGroup;

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Role the code of ${this.serviceName} runs with`,
    });

    const environment: Record<string, string> = {
      [SERVICE_ENVIRONMENT.port]: String(container.port),
      [SERVICE_ENVIRONMENT.drainSeconds]: String(this.shutdown.drainSeconds),
      [SERVICE_ENVIRONMENT.preStopSeconds]: String(this.shutdown.preStopSeconds),
      [SERVICE_ENVIRONMENT.powertoolsServiceName]: spec.name,
      [SERVICE_ENVIRONMENT.powertoolsMetricsNamespace]: props.platformName,
      [SERVICE_ENVIRONMENT.powertoolsLogLevel]: 'INFO',
      [SERVICE_ENVIRONMENT.platformEnvironment]: props.environmentName,
      [SERVICE_ENVIRONMENT.otelServiceName]: this.serviceName,
      [SERVICE_ENVIRONMENT.otelExporterEndpoint]: COLLECTOR_OTLP_HTTP_ENDPOINT,
      [SERVICE_ENVIRONMENT.otelResourceAttributes]: `service.namespace=${props.platformName},deployment.environment=${props.environmentName}`,
      [SERVICE_ENVIRONMENT.otelTracesSampler]: 'parentbased_traceidratio',
      [SERVICE_ENVIRONMENT.otelTracesSamplerArg]: String(traceSampleRate),
    };
    if (spec.table) {
      this.table = createServiceTable(this, 'Table', { table: spec.table, encryptionKey: key, retain });
      grantServiceTable(this.table, key, this.taskRole);
      // A container serves listings by paging through its table.
      this.table.grant(this.taskRole, 'dynamodb:Scan');
      environment[SERVICE_ENVIRONMENT.tableName] = this.table.tableName;
    }

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: this.serviceName,
      cpu: container.cpu,
      memoryLimitMiB: container.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      taskRole: this.taskRole,
      volumes: [{ name: 'app-tmp' }, { name: 'collector-tmp' }],
    });

    const logging = (streamPrefix: string) =>
      ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix, mode: ecs.AwsLogDriverMode.NON_BLOCKING, maxBufferSize: Size.mebibytes(25) });

    // Metrics from the code (OTLP) become CloudWatch metrics through EMF, in a log group of the service's own.
    this.metricsLogGroup = new EncryptedLogGroup(this, 'MetricsLogs', {
      encryptionKey: key,
      retention: props.logRetention,
      retain,
      logGroupName: `/ecs/${props.platformName}/${props.environmentName}/${spec.name}/metrics`,
    }).logGroup;
    const collector = this.addCollector(props, logging('collector'));

    const buildContext = container.buildContext ?? container.dockerfileDirectory;
    this.container = this.taskDefinition.addContainer(APP_CONTAINER, {
      // A pinned image when the spec names one, else built from the service's Dockerfile at deploy time.
      image: container.image
        ? ecs.ContainerImage.fromRegistry(container.image)
        : props.image
          ? ecs.ContainerImage.fromEcrRepository(props.image.repository, props.image.tag)
          : ecs.ContainerImage.fromAsset(buildContext, {
            file: path.relative(buildContext, path.join(container.dockerfileDirectory, 'Dockerfile')),
            platform: Platform.LINUX_ARM64,
            ignoreMode: IgnoreMode.DOCKER,
          }),
      essential: true,
      memoryLimitMiB: container.memoryMiB - COLLECTOR_MEMORY_MIB,
      // The node user of the official Node.js images.
      user: '1000:1000',
      readonlyRootFilesystem: true,
      environment,
      portMappings: [{ name: PORT_NAME, containerPort: container.port, appProtocol: ecs.AppProtocol.http }],
      healthCheck: {
        // Node itself probes the port, so the image needs no shell or curl.
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${container.port}${container.healthCheckPath}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(15),
      },
      stopTimeout: Duration.seconds(this.shutdown.stopTimeoutSeconds),
      logging: logging('app'),
    });
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'app-tmp', readOnly: false });
    this.container.addContainerDependencies({ container: collector, condition: ecs.ContainerDependencyCondition.START });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds only pointers and process settings (port, table name, Parameter Store path, drain time, telemetry endpoint); config values live in Parameter Store and secrets in Secrets Manager, read at run time.',
    });

    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc,
      description: `${this.serviceName} tasks: inbound from its load balancer and Service Connect callers only`,
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: this.serviceName,
      cluster: props.cluster.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: subnets,
      securityGroups: [serviceSecurityGroup],
      assignPublicIp: false,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      capacityProviderStrategies: props.cluster.capacityStrategy(),
      minHealthyPercent,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      ...(blueGreen ? { deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN, bakeTime } : {}),
      healthCheckGracePeriod: Duration.seconds(30),
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      enableExecuteCommand: false,
      serviceConnectConfiguration: {
        namespace: props.registry.dnsNamespace.namespaceArn,
        services: [{
          portMappingName: PORT_NAME,
          discoveryName: spec.name,
          dnsName: spec.name,
          port: container.port,
          perRequestTimeout: props.serviceConnectRequestTimeout ?? SERVICE_CONNECT_REQUEST_TIMEOUT,
          idleTimeout: SERVICE_CONNECT_IDLE_TIMEOUT,
        }],
        logDriver: logging('service-connect'),
        accessLogConfiguration: { format: ecs.ServiceConnectAccessLogFormat.JSON, includeQueryParameters: false },
      },
    });

    const scaling = spec.scaling ?? { min: 2, max: 4 };
    const scalable = this.service.autoScaleTaskCount({ minCapacity: scaling.min, maxCapacity: scaling.max });
    scalable.scaleOnCpuUtilization('CpuTarget', {
      targetUtilizationPercent: scaling.cpuTargetPercent ?? 60,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(180),
    });

    // The internal load balancer: the one address the gateway (through its VPC link) and Lambda callers use.
    const seat = props.loadBalancerSeat;
    let ownLoadBalancer: elbv2.ApplicationLoadBalancer | undefined;
    if (seat) {
      // Imported in this scope, so the listener, rule, target groups and security group rules below are made here.
      this.loadBalancer = importSeatedLoadBalancer(this, seat, vpc);
      this.loadBalancerFullName = seat.loadBalancerFullName;
    } else {
      if (props.accessLogs === undefined) throw ConstructPropError.of(this, 'accessLogs', 'is missing; a service with a load balancer of its own (no loadBalancerSeat) needs a bucket for its access logs');
      const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
        vpc,
        description: `${this.serviceName} internal load balancer: inbound from the gateway VPC link and callers only`,
        allowAllOutbound: false,
      });
      ownLoadBalancer = internalLoadBalancer(this, 'LoadBalancer', { loadBalancerName: this.serviceName, vpc, vpcSubnets: subnets, securityGroup: albSecurityGroup, deletionProtection: retain });
      props.accessLogs.logLoadBalancer(ownLoadBalancer, `${props.platformName}/${props.environmentName}/${spec.name}`);
      this.loadBalancer = ownLoadBalancer;
      this.loadBalancerFullName = ownLoadBalancer.loadBalancerFullName;
    }
    this.listenerPort = seat?.port ?? LISTENER_PORT;
    this.listener = jsonNotFoundListener(ownLoadBalancer ?? this, ownLoadBalancer ? 'Http' : 'Listener', this.loadBalancer, this.listenerPort);
    const targetGroup = (groupId: string) => new elbv2.ApplicationTargetGroup(this, groupId, containerTargetGroupProps(vpc, container));
    this.targetGroup = targetGroup('HttpTasksGroup');
    // Every request goes to the tasks through one rule; blue/green switches that rule's target group.
    this.productionRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener: this.listener,
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.forward([this.targetGroup]),
    });
    if (blueGreen) {
      this.alternateTargetGroup = targetGroup('AlternateTasksGroup');
      const alternateTarget = new ecs.AlternateTarget('BlueGreen', {
        alternateTargetGroup: this.alternateTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionRule),
      });
      this.service.loadBalancerTarget({ containerName: APP_CONTAINER, containerPort: container.port, alternateTarget }).attachToApplicationTargetGroup(this.targetGroup);
      const infrastructureRole = this.service.node.tryFindChild('BlueGreenRole');
      if (infrastructureRole) {
        Validations.of(infrastructureRole).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
          reason: 'The AWS managed policy made for ECS blue/green: read and switch the listener rules and register targets in the two target groups; it is what ECS documents for the infrastructure role and follows its new needs.',
        });
      }
      // Blue/green alternates the production target group, so request tracking cannot name one of
      // them: it tracks the load balancer's requests (all of them reach this service) per running task.
      this.trackRequestsPerTask(scalable, props.cluster.cluster.clusterName, scaling.requestsPerTargetPerMinute ?? 1000);
    } else {
      this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName: APP_CONTAINER, containerPort: container.port }));
      scalable.scaleOnRequestCount('RequestTarget', {
        requestsPerTarget: scaling.requestsPerTargetPerMinute ?? 1000,
        targetGroup: this.targetGroup,
        scaleOutCooldown: Duration.seconds(60),
        scaleInCooldown: Duration.seconds(180),
      });
    }
    // The alarms a deployment rolls back on, resolved at synth so addRollbackAlarm after construction counts; none: no alarm config.
    (this.service.node.defaultChild as ecs.CfnService).addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
      produce: () => (this.rollbackAlarms.length === 0 ? undefined : { AlarmNames: this.rollbackAlarms.map((alarm) => alarm.alarmName), Enable: true, Rollback: true }),
    }));
    for (const alarm of props.rollbackAlarms ?? []) this.addRollbackAlarm(alarm);
    this.url = `http://${this.loadBalancer.loadBalancerDnsName}${seat ? `:${seat.port}` : ''}`;

    const plainHttp =
      'The load balancer is internal: no internet route reaches it, and its security group admits only the gateway VPC link and the services that call this one. ' +
      'TLS would need a certificate for a DNS name the deployer owns, which an account-agnostic blueprint cannot issue; traffic stays inside the VPC.';
    Validations.of(this.listener).acknowledge({ id: 'cdk-validator-cfnguard::alb_http_to_https_redirection_check', reason: plainHttp });
    if (ownLoadBalancer) {
      Validations.of(ownLoadBalancer).acknowledge({
        id: 'cdk-validator-cfnguard::elbv2_logging_enabled_check',
        reason: 'Access logging is on (access_logs.s3.enabled); the bucket is the platform access log bucket, imported from the shared stack (Fn::ImportValue), which the guard rule cannot follow.',
      });
    }
    if (ownLoadBalancer && !retain) {
      Validations.of(ownLoadBalancer).acknowledge({
        id: 'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check',
        reason: 'Environments that keep no data (dev) are torn down and rebuilt at will; deletion protection is on wherever data is retained (prod).',
      });
    }

    this.grantPrincipal = this.taskRole;
    this.discoveryAttributes = { runtime: 'fargate', url: this.url, serviceConnect: `http://${spec.name}:${container.port}` };
    if (props.gatewayLink) {
      this.gatewayTarget = { loadBalancer: { loadBalancerArn: this.loadBalancer.loadBalancerArn, url: this.url, vpcLink: props.gatewayLink.vpcLink } };
      if ((spec.routes ?? []).length > 0) this.allowCallsFrom(props.gatewayLink.securityGroup, 'the edge gateway VPC link');
    }
    // Used on its own, the service wires itself to what it is given, through the same capabilities the platform uses.
    if (props.config) props.config.bindService(this, props.configMaxAgeSeconds);
    if (props.register ?? true) this.registration = props.registry.register(this);

    const policy = this.taskRole.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only actions without resource-level permissions use Resource *: X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* for the collector, and Cloud Map DiscoverInstances (held to the platform namespace by a condition).',
    });
    const executionPolicy = this.taskDefinition.obtainExecutionRole().node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      Validations.of(executionPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken, which ECS needs to pull the image, has no resource-level permission; the pull itself is held to the image asset repository.',
      });
    }
  }

  /** `<platform>-<env>-<service>`, the ECS service's name. */
  public get deployedName(): string {
    return this.serviceName;
  }


  /** The tasks' security group: the services it calls let it in. */
  public get connections(): ec2.Connections {
    return this.service.connections;
  }

  /** The app and collector log group. */
  public get logGroups(): readonly logs.ILogGroup[] {
    return [this.logGroup];
  }

  /** Requests, 5xx and response time at the load balancer; CPU and memory of the tasks. */
  public get monitoringTarget(): MonitoringTarget {
    return fargateMonitoring({
      service: this.service,
      loadBalancerFullName: this.loadBalancerFullName,
      targetGroups: this.targetGroups,
      telemetry: { serviceName: this.serviceName, metricsNamespace: this.metricsNamespace },
    });
  }

  /** The target groups the tasks may be in: the production one, and under blue/green the alternate. */
  public get targetGroups(): elbv2.ApplicationTargetGroup[] {
    return this.alternateTargetGroup ? [this.targetGroup, this.alternateTargetGroup] : [this.targetGroup];
  }

  /** 5xx answers of the tasks (both target groups under blue/green), summed per minute. */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return targetGroupSum(this.loadBalancerFullName, this.targetGroups, 'HTTPCode_Target_5XX_Count', '5xx answers of the tasks', { period: Duration.minutes(1), ...props });
  }

  /** Sets one more environment variable of the app container. */
  public addEnvironment(name: string, value: string): void {
    this.container.addEnvironment(name, value);
  }

  /** The task role may consume the queue, and the process finds it in `EVENT_QUEUE_URL`. */
  public receiveEvents(queue: sqs.IQueue): void {
    queue.grantConsumeMessages(this.taskRole);
    this.addEnvironment(SERVICE_ENVIRONMENT.eventQueueUrl, queue.queueUrl);
  }

  /** Stops a share of the running tasks, stopped by the alarm. */
  public addChaosExperiments(experiments: () => ChaosExperiments, stopCondition: cloudwatch.IAlarm): void {
    experiments().addStopFargateTasks(this, stopCondition);
  }

  /** Watches one more alarm: while it fires during a deployment or its bake time, ECS rolls the deployment back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.rollbackAlarms.push(alarm);
  }

  /**
   * Target tracking on requests per running task, by metric math: the requests of both target
   * groups in a minute (the load balancer may be shared, and blue/green moves the tasks between the
   * two groups) over the service's running tasks (Container Insights). The L2 takes direct metrics only.
   */
  private trackRequestsPerTask(scalable: ecs.ScalableTaskCount, clusterName: string, requestsPerTaskPerMinute: number): void {
    const target = scalable.node.findChild('Target') as appscaling.ScalableTarget;
    new appscaling.CfnScalingPolicy(this, 'RequestsPerTaskTarget', {
      policyName: `${this.serviceName}-requests-per-task`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: requestsPerTaskPerMinute,
        scaleOutCooldown: 60,
        scaleInCooldown: 180,
        customizedMetricSpecification: {
          metrics: [
            ...this.targetGroups.map((group, index) => ({
              id: `requests${index}`,
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/ApplicationELB',
                  metricName: 'RequestCount',
                  dimensions: [{ name: 'LoadBalancer', value: this.loadBalancerFullName }, { name: 'TargetGroup', value: group.targetGroupFullName }],
                },
                stat: 'Sum',
              },
            })),
            {
              id: 'tasks',
              returnData: false,
              metricStat: {
                metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: [{ name: 'ClusterName', value: clusterName }, { name: 'ServiceName', value: this.service.serviceName }] },
                stat: 'Average',
              },
            },
            {
              id: 'requestsPerTask',
              // A target group that serves nothing reports nothing: FILL counts it as 0.
              expression: `(${this.targetGroups.map((_, index) => `FILL(requests${index}, 0)`).join(' + ')}) / MAX([tasks, 1])`,
              label: 'Requests per running task per minute',
              returnData: true,
            },
          ],
        },
      },
    });
  }

  /**
   * Lets a caller reach the service: another Fargate service through Service Connect, anything else
   * in the VPC (a deployed service, or any peer with a description) through the internal load balancer.
   */
  public allowCallsFrom(caller: DeployedService | ec2.IConnectable, description?: string): void {
    if (caller instanceof FargateMicroservice) {
      this.allowServiceConnectFrom(caller);
      return;
    }
    const deployed = 'spec' in caller ? caller : undefined;
    const peer = deployed ? deployed.connections : (caller as ec2.IConnectable);
    if (peer === undefined) return;
    this.loadBalancer.connections.allowFrom(peer, ec2.Port.tcp(this.listenerPort), description ?? `calls from ${deployed?.spec.name}`);
  }

  /** Lets another container service call this one through Service Connect. */
  public allowServiceConnectFrom(caller: FargateMicroservice): void {
    this.service.connections.allowFrom(caller.service, ec2.Port.tcp(this.spec.container!.port), `Service Connect from ${caller.spec.name}`);
  }

  private addCollector(props: FargateMicroserviceProps, logging: ecs.LogDriver): ecs.ContainerDefinition {
    const metricsLogGroup = this.metricsLogGroup;
    grantCollector(this.taskRole, metricsLogGroup);
    const collector = this.taskDefinition.addContainer(COLLECTOR_CONTAINER, {
      image: ecs.ContainerImage.fromRegistry(props.collectorImage ?? DEFAULT_COLLECTOR_IMAGE),
      essential: true,
      // The collector image's own unprivileged user.
      user: String(COLLECTOR_USER),
      readonlyRootFilesystem: true,
      memoryReservationMiB: 64,
      memoryLimitMiB: COLLECTOR_MEMORY_MIB,
      environment: {
        AOT_CONFIG_CONTENT: collectorConfig({
          metricsNamespace: props.platformName,
          metricsLogGroupName: metricsLogGroup.logGroupName,
          // One stream per task; the ecs detector supplies the task id the placeholder reads.
          metricsLogStreamName: 'otel-{TaskId}',
          resourceDetectors: ['env', 'ecs'],
        }),
      },
      healthCheck: { command: ['CMD', '/healthcheck'], interval: Duration.seconds(10), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(10) },
      stopTimeout: Duration.seconds(this.shutdown.stopTimeoutSeconds),
      logging,
    });
    collector.addMountPoints({ containerPath: '/tmp', sourceVolume: 'collector-tmp', readOnly: false });
    return collector;
  }
}

/**
 * A load balancer metric summed over target groups (metric math), each group's absence of data
 * counted as 0: under blue/green the tasks move between two groups, and a load balancer shared by
 * several services cannot be measured whole for one of them.
 */
export function targetGroupSum(loadBalancerFullName: string, groups: readonly elbv2.ApplicationTargetGroup[], metricName: string, label: string, options: cloudwatch.MetricOptions = {}): cloudwatch.MathExpression {
  const period = options.period ?? Duration.minutes(1);
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  groups.forEach((group, index) => {
    // Ids unique per metric name, so two sums may meet in one expression (a rate).
    usingMetrics[`${metricName.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}${index}`] = new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: group.targetGroupFullName },
      statistic: cloudwatch.Stats.SUM,
      period,
    });
  });
  return new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics, period, label: options.label ?? label });
}
