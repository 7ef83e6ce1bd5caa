import { Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ChaosExperiments } from '../chaos/chaos-experiments';
import { CONTAINER_EVENT_HANDLING_TIMEOUT } from '../containers/fargate-microservice';
import { createServiceTable, grantServiceTable } from '../data/service-table';
import type { GatewayTarget } from '../gateway/edge-gateway';
import type { IGatewayLink } from '../gateway/gateway-link';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import type { KubernetesServiceSpec } from '../model/service-spec';
import type { MonitoringTarget } from '../observability/monitoring-target';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { grantCollector, requestMetrics } from '../observability/otel-collector';
import { kubernetesMonitoring } from '../runtimes/kubernetes/kubernetes-monitoring';
import type { DeployedService } from '../runtimes/service-runtime';
import { EncryptionKey } from '../security/encryption-key';
import type { KubernetesPlatform, KubernetesServiceTelemetry } from './kubernetes-platform';
import { MicroserviceChart } from './microservice-chart';

/** Props of a KubernetesMicroservice. */
export interface KubernetesMicroserviceProps {
  /** The cluster it runs on, and what its services are made with. */
  readonly platform: KubernetesPlatform;
  /** The service's spec; its runtime must be `kubernetes`. */
  readonly spec: KubernetesServiceSpec;
  /**
   * The edge gateway's VPC link: a service with routes is offered to the gateway through it (its
   * `gatewayTarget`), and the cluster's load balancer admits the link's security group.
   * @default - the routes are reached at the cluster's load balancer, inside the VPC only
   */
  readonly gatewayLink?: IGatewayLink;
  /**
   * The key its data and queues are encrypted with, when it shares one (the platform's service key).
   * Its table and queues stay its own through their IAM grants.
   * @default - a key of its own
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * One microservice on the platform's EKS cluster: a key of its own (or the one it shares), a pod role bound to its
 * ServiceAccount through EKS Pod Identity, its table when it has one, a log group its pods' collector
 * writes request metrics to, and its MicroserviceChart applied through the cluster's kubectl handler.
 * A service with routes gets a target group on the cluster's load balancer (a template resource),
 * which its chart binds its pods to with a TargetGroupBinding; given the gateway's VPC link, that
 * load balancer is its `gatewayTarget`, so its routes are served at the edge like any other's.
 * Environment added after construction (`addEnvironment`) reaches the applied Deployment too: the
 * manifest reads the app container's environment from the chart when the template is synthesized.
 */
export class KubernetesMicroservice extends Construct implements DeployedService {
  /** The spec it was made from. */
  public readonly spec: KubernetesServiceSpec;
  /** `<cluster>-<service>`: its name in X-Ray and in its request metrics. */
  public readonly deployedName: string;
  /** The pod role (assumed through Pod Identity). */
  public readonly role: iam.Role;
  /** Grants to the service go to its pod role. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The service's own key (its table and queues). */
  public readonly dataKey: kms.IKey;
  /** The service's own table, when the spec declares one. */
  public readonly table?: dynamodb.Table;
  /** Where its traces and request metrics go. */
  public readonly telemetry: KubernetesServiceTelemetry;
  /** Its chart. */
  public readonly chart: MicroserviceChart;
  /** The chart as applied to the cluster. */
  public readonly manifest: eks.KubernetesManifest;
  /**
   * What callers find in the registry: `url`, where callers of any runtime reach it (the cluster's
   * load balancer when it has routes, else its Service's cluster DNS name), and with routes also
   * `clusterUrl`, its Service's cluster DNS name, which callers in the cluster's pods use.
   */
  public readonly discoveryAttributes: Readonly<Record<string, string>>;
  /** How long the process may take over one batch of events from its queue. */
  public readonly eventHandlingTimeout: Duration = CONTAINER_EVENT_HANDLING_TIMEOUT;
  /** The target group on the cluster's load balancer its pods are bound to, when the spec has routes. */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The cluster's load balancer through the gateway's VPC link, when the spec has routes and a link is given. */
  public readonly gatewayTarget?: GatewayTarget;
  /** Pod logs reach the central store through the cluster's application log group, not one of the service's own. */
  public readonly logGroups: readonly logs.ILogGroup[] = [];
  private readonly platform: KubernetesPlatform;

  constructor(scope: Construct, id: string, props: KubernetesMicroserviceProps) {
    super(scope, id);
    const { platform, spec } = props;
    this.platform = platform;
    this.spec = spec;
    const clusterName = platform.cluster.clusterName;
    const defaults = platform.serviceDefaults;
    const retain = defaults.retainData ?? false;
    this.deployedName = `${platform.platformName}-${platform.environmentName}-${spec.name}`;
    const stack = Stack.of(this);
    const environment: Record<string, string> = { AWS_REGION: stack.region, [SERVICE_ENVIRONMENT.platformEnvironment]: platform.environmentName };

    this.dataKey = props.encryptionKey ?? new EncryptionKey(this, 'Key', { description: `Encrypts the data and queues of ${this.deployedName}`, allowCloudWatchLogs: false, retain }).key;
    this.role = new iam.Role(this, 'PodRole', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      description: `Pod role of ${platform.platformName}-${platform.environmentName}/${platform.namespace}/${spec.name} (EKS Pod Identity)`,
    });
    this.grantPrincipal = this.role;
    if (spec.table) {
      this.table = createServiceTable(this, 'Table', { table: spec.table, encryptionKey: this.dataKey, retain });
      grantServiceTable(this.table, this.dataKey, this.role);
      environment[SERVICE_ENVIRONMENT.tableName] = this.table.tableName;
    }
    // Request metrics from the pod's collector become CloudWatch metrics through EMF, in a log group of the service's own.
    const metricsLogGroup = new EncryptedLogGroup(this, 'MetricsLogs', {
      encryptionKey: platform.encryptionKey.key,
      retention: defaults.logRetention,
      retain,
      logGroupName: `/eks/${platform.platformName}-${platform.environmentName}/${platform.namespace}/${spec.name}/metrics`,
    }).logGroup;
    this.telemetry = { serviceName: this.deployedName, metricsNamespace: platform.platformName, metricsLogGroup };
    grantCollector(this.role, metricsLogGroup);
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only actions without resource-level permissions use Resource *: the collector\'s X-Ray PutTraceSegments, PutTelemetryRecords and GetSampling*, and Cloud Map DiscoverInstances (held to the platform namespace by a condition).',
    });
    const association = new eks.CfnPodIdentityAssociation(this, 'PodIdentity', {
      clusterName,
      namespace: platform.namespace,
      serviceAccount: spec.name,
      roleArn: this.role.roleArn,
    });

    if ((spec.routes ?? []).length > 0) this.targetGroup = platform.routeToService(spec, this);
    this.chart = new MicroserviceChart(platform.chartApp, spec.name, {
      spec,
      targetGroupBinding: this.targetGroup ? { targetGroupArn: this.targetGroup.targetGroupArn } : undefined,
      namespace: platform.namespace,
      platformName: platform.platformName,
      image: platform.imageFor(spec),
      environment,
      telemetry: {
        serviceName: this.telemetry.serviceName,
        metricsNamespace: this.telemetry.metricsNamespace,
        metricsLogGroupName: metricsLogGroup.logGroupName,
        region: stack.region,
        resourceAttributes: { 'service.namespace': platform.platformName, 'deployment.environment': platform.environmentName },
        traceSampleRate: defaults.traceSampleRate,
        collectorImage: defaults.collectorImage,
      },
    });
    this.manifest = new eks.KubernetesManifest(this, 'Chart', { cluster: platform.cluster, manifest: this.manifestObjects() });
    this.manifest.node.addDependency(association, ...platform.chartDependencies(spec));
    const clusterUrl = `http://${spec.name}.${platform.namespace}.svc.cluster.local`;
    const loadBalancer = platform.loadBalancer;
    this.discoveryAttributes = this.targetGroup && loadBalancer ? { runtime: 'kubernetes', url: loadBalancer.url, clusterUrl } : { runtime: 'kubernetes', url: clusterUrl };
    if (this.targetGroup && loadBalancer && props.gatewayLink) {
      this.gatewayTarget = { loadBalancer: { loadBalancerArn: loadBalancer.loadBalancer.loadBalancerArn, url: loadBalancer.url, vpcLink: props.gatewayLink.vpcLink } };
      loadBalancer.allowFrom(props.gatewayLink.securityGroup, 'the edge gateway VPC link');
    }
  }

  /** The cluster's security group, which the pods of Auto Mode nodes use: services this one calls let it in. */
  public get connections(): ec2.Connections {
    return this.platform.cluster.connections;
  }

  /** Requests as its pods report them; running pods, CPU and memory from Container Insights. */
  public get monitoringTarget(): MonitoringTarget {
    return kubernetesMonitoring({ clusterName: this.platform.cluster.clusterName, namespace: this.platform.namespace, telemetryServiceName: this.telemetry.serviceName, metricsNamespace: this.telemetry.metricsNamespace });
  }

  /**
   * Requests its pods answered 5xx per period, from the metrics their collectors write: the sample
   * count of the request-duration histogram for the 5xx class, whatever statistic `props` names
   * (a sum of that histogram would add up seconds, not requests).
   */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const errors = requestMetrics(this.telemetry.metricsNamespace, this.telemetry.serviceName, props?.period ?? Duration.minutes(1)).serverErrors;
    return errors.with({ ...props, statistic: cloudwatch.Stats.SAMPLE_COUNT });
  }

  /** Gives the service's container one more environment variable (in the chart and in the applied manifest). */
  public addEnvironment(name: string, value: string): void {
    this.chart.addEnvironment(name, value);
  }

  /**
   * Another kubernetes service reaches this one through its ClusterIP Service, with no rule to add.
   * A service of another runtime reaches its routes through the cluster's load balancer, which
   * admits the caller's network side on its listener; a service without routes has no such way in.
   */
  public allowCallsFrom(caller: DeployedService): void {
    if (caller instanceof KubernetesMicroservice) return;
    const loadBalancer = this.platform.loadBalancer;
    if (this.targetGroup === undefined || loadBalancer === undefined) {
      throw ConstructPropError.of(this, 'spec.calls', `of '${caller.spec.name}' names '${this.spec.name}', a kubernetes service without routes, which only services in its cluster can reach`);
    }
    if (caller.connections) loadBalancer.allowFrom(caller.connections, `calls from ${caller.spec.name}`);
  }

  /** The pod role may consume the queue, and the process finds it in `EVENT_QUEUE_URL`. */
  public receiveEvents(queue: sqs.IQueue): void {
    queue.grantConsumeMessages(this.role);
    this.addEnvironment(SERVICE_ENVIRONMENT.eventQueueUrl, queue.queueUrl);
  }

  /** Deletes pods of the service, stopped by the alarm. */
  public addChaosExperiments(experiments: () => ChaosExperiments, stopCondition: cloudwatch.IAlarm): void {
    experiments().addDeleteKubernetesPods(this.platform, this.spec.name, stopCondition, this);
  }

  /**
   * The chart's objects, with the app container's environment read from the chart when the template
   * is synthesized, so variables added after construction are applied too.
   */
  private manifestObjects(): Record<string, unknown>[] {
    const objects = this.chart.toJson() as Record<string, any>[];
    for (const object of objects) {
      if (object.kind !== 'Deployment') continue;
      const app = (object.spec.template.spec.containers as { name: string; env?: unknown }[]).find((container) => container.name === this.spec.name);
      if (app) app.env = Lazy.any({ produce: () => appEnvironmentOf(this.chart) });
    }
    return objects;
  }
}

/** The environment of the chart's service container (named after the service), as the chart writes it now. */
function appEnvironmentOf(chart: MicroserviceChart): unknown {
  const deployment = (chart.toJson() as Record<string, any>[]).find((object) => object.kind === 'Deployment');
  return deployment?.spec.template.spec.containers.find((container: { name: string }) => container.name === chart.spec.name)?.env;
}
