import { Token } from 'aws-cdk-lib';
import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import { ServiceSpec, type ShutdownBudget, parseRoute, shutdownBudgetOf } from '../model/service-spec';
import { shutdownBudgetProblems } from '../runtimes/container-spec-checks';
import { COLLECTOR_OTLP_HTTP_ENDPOINT, COLLECTOR_USER, DEFAULT_COLLECTOR_IMAGE, collectorConfig } from '../observability/otel-collector';

/** Where a pod's traces and request metrics go: an ADOT collector beside the service's container. */
export interface PodTelemetryProps {
  /** The name the service reports as, in the X-Ray service map and as the metrics' `service.name`. */
  readonly serviceName: string;
  /** CloudWatch namespace of the request metrics. */
  readonly metricsNamespace: string;
  /** Log group the collector writes the metrics (EMF) to; it must exist and the pod's role may write to it. */
  readonly metricsLogGroupName: string;
  /**
   * Region of X-Ray and CloudWatch.
   * @default - the collector finds it from the node
   */
  readonly region?: string;
  /**
   * More resource attributes of every span and metric, e.g. `deployment.environment`.
   * @default - none
   */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  /**
   * Share of the requests that start a trace, from 0 to 1 (a caller's sampling decision is kept).
   * @default 0.05
   */
  readonly traceSampleRate?: number;
  /** @default DEFAULT_COLLECTOR_IMAGE */
  readonly collectorImage?: string;
}

/** Props of a MicroserviceChart. */
export interface MicroserviceChartProps {
  /** The service's spec; its runtime must be `kubernetes`. */
  readonly spec: ServiceSpec;
  /**
   * The image the pods run, pinned by tag or digest.
   * @default - the spec's `container.image`; one of the two is required
   */
  readonly image?: string;
  /** The namespace every object goes into. */
  readonly namespace: string;
  /** Platform name, written to the `app.kubernetes.io/part-of` label. */
  readonly platformName: string;
  /**
   * Extra environment variables of the container (e.g. the table name and config path under EKS).
   * @default - none beyond PORT, DRAIN_SECONDS and the ConfigMap's keys
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * A target group of a load balancer made outside the cluster (the one the edge gateway reaches):
   * the chart binds the Service's pods to it with a TargetGroupBinding, and the cluster's load
   * balancing keeps the pod IPs registered there.
   * @default - no binding
   */
  readonly targetGroupBinding?: TargetGroupBindingProps;
  /**
   * Make an Ingress for the spec's routes, for which the cluster's load balancer controller makes an
   * internal ALB of its own. That is a way in beside the edge gateway, without its authorizer,
   * throttling or firewall, so it is off unless asked for, and refused with `targetGroupBinding`.
   * @default false
   */
  readonly ingress?: boolean;
  /**
   * Ingress class of the Ingress (with `ingress`).
   * @default 'alb' (the EKS Auto Mode load balancer class)
   */
  readonly ingressClassName?: string;
  /**
   * Annotations of the Ingress (with `ingress`).
   * @default - an internal ALB that targets pod IPs
   */
  readonly ingressAnnotations?: Readonly<Record<string, string>>;
  /**
   * Average CPU utilization (percent of the request) the autoscaler holds the pods at.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
  /**
   * UID and GID the container runs as (the image's USER should match).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Traces and request metrics through an OpenTelemetry collector in each pod (a native sidecar,
   * started before the service and stopped after it, so the last spans still leave).
   * @default - no collector; the service's tracing stays off
   */
  readonly telemetry?: PodTelemetryProps;
}

/** The target group a chart binds its pods to. */
export interface TargetGroupBindingProps {
  /** ARN of the target group: IP targets, on the container port. */
  readonly targetGroupArn: string;
  /**
   * API version of the TargetGroupBinding kind. EKS Auto Mode's built-in load balancing serves it in
   * `eks.amazonaws.com/v1`; a self-managed AWS Load Balancer Controller in `elbv2.k8s.aws/v1beta1`.
   * @default 'eks.amazonaws.com/v1'
   */
  readonly apiVersion?: string;
}

/** Name of the collector container in each pod. */
export const COLLECTOR_CONTAINER_NAME = 'otel-collector';

/** Memory of the collector, request and limit. */
const COLLECTOR_MEMORY = Size.mebibytes(128);

/** The zone label every cloud provider sets on nodes. */
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';

const SERVICE_PORT = 80;

/**
 * One microservice as Kubernetes objects, made from its spec with cdk8s-plus: a Deployment,
 * a ClusterIP Service, a HorizontalPodAutoscaler on the spec's bounds, a PodDisruptionBudget,
 * a ConfigMap of the spec's config (as `CONFIG_<key>` variables), and a ServiceAccount of its own
 * that mounts no token. The routes reach the pods from outside the cluster only when a prop says
 * how: a TargetGroupBinding to a load balancer the template names (`targetGroupBinding`, as
 * KubernetesMicroservice does for the edge gateway), or an Ingress (`ingress`).
 *
 * Every pod meets the "restricted" Pod Security Standard (non-root, no privilege escalation,
 * every capability dropped, RuntimeDefault seccomp, read-only root filesystem), has CPU and
 * memory requests and a memory limit, a readiness probe on the health path (which fails while
 * the server drains) and a separate TCP liveness probe, and spreads across zones and nodes.
 * Without `scaling` in the spec, the autoscaler keeps two to four pods.
 */
export class MicroserviceChart extends Chart {
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The ClusterIP Service in front of the pods. */
  public readonly service: kplus.Service;
  /** The pods' own ServiceAccount; its name is the service's name. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The autoscaler. */
  public readonly autoscaler: kplus.HorizontalPodAutoscaler;
  /** The ConfigMap, when the spec has config. */
  public readonly configMap?: kplus.ConfigMap;
  /** The Ingress, when asked for (`ingress`) and the spec has routes. */
  public readonly ingress?: kplus.Ingress;
  /** The binding of the pods to a target group outside the cluster, when one is given. */
  public readonly targetGroupBinding?: ApiObject;
  /** The namespace of every object. */
  public readonly namespaceName: string;
  /** The service's own container. */
  public readonly appContainer: kplus.Container;
  /** The image the pods run. */
  public readonly image: string;
  /** The spec this was made from. */
  public readonly spec: ServiceSpec;
  /** The shutdown timings applied: the preStop hook's sleep, the drain, the termination grace period. */
  public readonly shutdown: ShutdownBudget;

  constructor(scope: Construct, id: string, props: MicroserviceChartProps) {
    const spec = props.spec;
    const labels = { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/part-of': props.platformName, 'app.kubernetes.io/managed-by': 'cdk8s' };
    super(scope, id, { namespace: props.namespace, labels, disableResourceNameHashes: true });
    this.spec = spec;
    this.namespaceName = props.namespace;
    const container = spec.container;
    if (spec.runtime !== 'kubernetes' || container === undefined) {
      throw ConstructPropError.of(this, 'spec', `describes '${spec.name}' with runtime '${spec.runtime}'${container ? '' : ' and no container settings'}; a MicroserviceChart needs runtime 'kubernetes' with { container }`);
    }
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) {
      throw ConstructPropError.of(this, 'namespace', `'${props.namespace}' is not a DNS label (lowercase letters, digits and hyphens, at most 63)`);
    }
    const image = props.image ?? container.image;
    if (image === undefined) {
      throw ConstructPropError.of(this, 'image', `is missing and the spec of '${spec.name}' pins no container.image; give one of the two`);
    }
    // An image made at deploy time (an asset image) is a token, pinned by its content hash.
    if (!Token.isUnresolved(image) && (/:latest$/.test(image) || (!image.includes('@sha256:') && !/:[^/]+$/.test(image)))) {
      throw ConstructPropError.of(this, 'image', `'${image}' is not pinned: give a digest or an explicit tag other than 'latest'`);
    }
    this.image = image;
    const target = props.targetCpuUtilization ?? 70;
    if (!Number.isInteger(target) || target < 10 || target > 100) {
      throw ConstructPropError.of(this, 'targetCpuUtilization', `is ${target}; expected a whole percent from 10 to 100`);
    }
    if (props.targetGroupBinding !== undefined && props.ingress) {
      throw ConstructPropError.of(this, 'ingress', `is on together with targetGroupBinding; the routes of '${spec.name}' get one way in, the target group`);
    }
    const uid = props.runAsUser ?? 10001;
    if (!Number.isInteger(uid) || uid < 1) {
      throw ConstructPropError.of(this, 'runAsUser', `is ${uid}; the restricted standard needs a non-root UID (a whole number above 0)`);
    }
    const budgetProblem = shutdownBudgetProblems(container)[0];
    if (budgetProblem !== undefined) throw ConstructPropError.of(this, `spec.${budgetProblem.field}`, budgetProblem.message);
    this.shutdown = shutdownBudgetOf(container);
    const minReplicas = spec.scaling?.min ?? 2;
    const maxReplicas = spec.scaling?.max ?? Math.max(minReplicas, 4);
    const podLabels = { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/part-of': props.platformName };
    const telemetry = props.telemetry;
    const sampleRate = telemetry?.traceSampleRate ?? 0.05;
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw ConstructPropError.of(this, 'telemetry.traceSampleRate', `is ${sampleRate}; expected a share from 0 to 1`);
    }
    const otelEnvironment: Record<string, string> = telemetry
      ? {
        OTEL_SERVICE_NAME: telemetry.serviceName,
        OTEL_EXPORTER_OTLP_ENDPOINT: COLLECTOR_OTLP_HTTP_ENDPOINT,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(sampleRate),
        ...(telemetry.resourceAttributes && Object.keys(telemetry.resourceAttributes).length > 0
          ? { OTEL_RESOURCE_ATTRIBUTES: Object.entries(telemetry.resourceAttributes).map(([k, v]) => `${k}=${v}`).join(',') }
          : {}),
      }
      : {};

    // Token-less: the pods call no Kubernetes API; AWS access comes from EKS Pod Identity, which mounts its own token.
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { name: spec.name }, automountToken: false });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: spec.name },
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(this.shutdown.terminationGracePeriodSeconds),
      securityContext: { ensureNonRoot: true, user: uid, group: uid, fsGroup: uid },
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: podLabels }));
    for (const [key, value] of Object.entries(podLabels)) this.deployment.podMetadata.addLabel(key, value);

    const main = (this.appContainer = this.deployment.addContainer({
      name: spec.name,
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      portNumber: container.port,
      envVariables: Object.fromEntries(
        Object.entries({
          PORT: String(container.port),
          DRAIN_SECONDS: String(this.shutdown.drainSeconds),
          // The preStop hook (see toJson) waits out the pre-stop interval before SIGTERM, so the process need not wait again.
          [SERVICE_ENVIRONMENT.preStopSeconds]: '0',
          POWERTOOLS_SERVICE_NAME: spec.name,
          ...otelEnvironment,
          ...props.environment,
        }).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
      ),
      resources: {
        cpu: { request: kplus.Cpu.millis(container.cpu) },
        memory: { request: Size.mebibytes(container.memoryMiB), limit: Size.mebibytes(container.memoryMiB) },
      },
      securityContext: {
        ensureNonRoot: true,
        user: uid,
        group: uid,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      },
      // Readiness fails while the server drains, so the pod leaves the Service first; liveness only asks whether it listens.
      readiness: kplus.Probe.fromHttpGet(container.healthCheckPath, { port: container.port, periodSeconds: Duration.seconds(5), failureThreshold: 2, timeoutSeconds: Duration.seconds(2) }),
      liveness: kplus.Probe.fromTcpSocket({ port: container.port, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
    }));
    main.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Scratch', 'tmp', { sizeLimit: Size.mebibytes(64) }));

    if (spec.config && Object.keys(spec.config).length > 0) {
      this.configMap = new kplus.ConfigMap(this, 'Config', { metadata: { name: `${spec.name}-config` }, data: { ...spec.config }, immutable: false });
      main.env.copyFrom(kplus.Env.fromConfigMap(this.configMap, 'CONFIG_'));
    }

    if (telemetry) this.addCollector(telemetry, uid);

    // What cdk8s-plus does not model: dropping every capability (its enum has no ALL), the pod's seccomp
    // profile, and its spread over zones and nodes.
    const podSpec = ApiObject.of(this.deployment);
    podSpec.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
    podSpec.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    podSpec.addJsonPatch(
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        { maxSkew: 1, topologyKey: ZONE_TOPOLOGY_KEY, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: podLabels } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: podLabels } },
      ]),
    );

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: spec.name },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: this.deployment,
      ports: [{ name: 'http', port: SERVICE_PORT, targetPort: container.port }],
    });

    this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: { name: spec.name },
      target: this.deployment,
      minReplicas,
      maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(target))],
    });

    // One pod at a time may be evicted; a minimum available would block node drains when min is 1.
    new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: spec.name },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: podLabels } },
    });

    if (props.targetGroupBinding) {
      // The pods are registered by IP on the port the Service targets; the security group rules are the template's, not the controller's.
      this.targetGroupBinding = new ApiObject(this, 'TargetGroupBinding', {
        apiVersion: props.targetGroupBinding.apiVersion ?? 'eks.amazonaws.com/v1',
        kind: 'TargetGroupBinding',
        metadata: { name: spec.name },
        spec: {
          serviceRef: { name: this.service.name, port: SERVICE_PORT },
          targetGroupARN: props.targetGroupBinding.targetGroupArn,
          targetType: 'ip',
        },
      });
    }

    const prefixes = props.ingress ? [...new Set((spec.routes ?? []).map((route) => routePrefix(route.route)))].sort() : [];
    if (prefixes.length > 0) {
      this.ingress = new kplus.Ingress(this, 'Ingress', {
        metadata: {
          name: spec.name,
          annotations: {
            ...(props.ingressAnnotations ?? {
              'alb.ingress.kubernetes.io/scheme': 'internal',
              'alb.ingress.kubernetes.io/target-type': 'ip',
              'alb.ingress.kubernetes.io/healthcheck-path': container.healthCheckPath,
              'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${this.shutdown.deregistrationDelaySeconds}`,
            }),
          },
        },
      });
      for (const prefix of prefixes) this.ingress.addRule(prefix, kplus.IngressBackend.fromService(this.service, { port: SERVICE_PORT }), kplus.HttpIngressPathType.PREFIX);
      ApiObject.of(this.ingress).addJsonPatch(JsonPatch.add('/spec/ingressClassName', props.ingressClassName ?? 'alb'));
    }
  }

  /** Gives the service's container one more environment variable. */
  public addEnvironment(name: string, value: string): void {
    this.appContainer.env.addVariable(name, kplus.EnvValue.fromValue(value));
  }

  /**
   * The objects, with what the Deployment's own serializer drops as fields Kubernetes 1.27 lacked:
   * the collector (when there is one) made a native sidecar (`restartPolicy: Always` on its init
   * container), and the service container's preStop hook, a `sleep` lifecycle action (stable since
   * Kubernetes 1.32) rather than an exec of `sleep`, which needs a `sleep` binary in the image (a
   * node-only or distroless image has none) and would run inside the container's own limits.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  public override toJson(): any[] {
    return super.toJson().map((object) => {
      const pod = object.kind === 'Deployment' ? object.spec?.template?.spec : undefined;
      const collector = pod?.initContainers?.find((c: { name: string }) => c.name === COLLECTOR_CONTAINER_NAME);
      if (collector) collector.restartPolicy = 'Always';
      const main = pod?.containers?.find((c: { name: string }) => c.name === this.spec.name);
      if (main && this.shutdown.preStopSeconds > 0) main.lifecycle = { preStop: { sleep: { seconds: this.shutdown.preStopSeconds } } };
      return object;
    });
  }

  /**
   * The collector as a native sidecar (an init container that keeps running): up before the service
   * container starts and stopped only after it has exited. Restricted like the service: its image's own
   * non-root user, a read-only root filesystem with a scratch /tmp, no capabilities.
   */
  private addCollector(telemetry: PodTelemetryProps, fsGroup: number): void {
    const collector = this.deployment.addInitContainer({
      name: COLLECTOR_CONTAINER_NAME,
      image: telemetry.collectorImage ?? DEFAULT_COLLECTOR_IMAGE,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      envVariables: {
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        ...(telemetry.region ? { AWS_REGION: kplus.EnvValue.fromValue(telemetry.region) } : {}),
        AOT_CONFIG_CONTENT: kplus.EnvValue.fromValue(collectorConfig({
          metricsNamespace: telemetry.metricsNamespace,
          metricsLogGroupName: telemetry.metricsLogGroupName,
          // One stream per pod (the collector expands the variable itself).
          metricsLogStreamName: 'otel-${env:POD_NAME}',
        })),
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(50) },
        memory: { request: COLLECTOR_MEMORY, limit: COLLECTOR_MEMORY },
      },
      securityContext: {
        ensureNonRoot: true,
        user: COLLECTOR_USER,
        group: fsGroup,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      },
    });
    collector.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'CollectorScratch', 'collector-tmp', { sizeLimit: Size.mebibytes(32) }));
    // What cdk8s-plus does not model for init containers: probes and dropping every capability. Staying up
    // (the sidecar form) is set in toJson, as the Deployment's own serializer drops fields Kubernetes 1.27 lacked.
    const healthCheck = { exec: { command: ['/healthcheck'] }, periodSeconds: 10, timeoutSeconds: 5 };
    const pod = ApiObject.of(this.deployment);
    pod.addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers/0/securityContext/capabilities', { drop: ['ALL'] }));
    pod.addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers/0/startupProbe', { ...healthCheck, periodSeconds: 2, failureThreshold: 15 }));
    pod.addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers/0/livenessProbe', { ...healthCheck, failureThreshold: 3 }));
  }
}

/** The literal path before a route's first parameter, e.g. `GET /pricing/quotes/{id}` -> `/pricing/quotes`. */
function routePrefix(route: string): string {
  const parsed = parseRoute(route);
  if (typeof parsed === 'string') throw new Error(parsed);
  const firstParam = parsed.segments.findIndex((segment) => segment.startsWith('{'));
  return `/${(firstParam === -1 ? parsed.segments : parsed.segments.slice(0, firstParam)).join('/')}`;
}
