import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Yaml } from 'cdk8s';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { COLLECTOR_CONTAINER_NAME, MicroserviceChart, MicroserviceChartProps } from '../../constructs/kubernetes/microservice-chart';
import { DEFAULT_COLLECTOR_IMAGE } from '../../constructs/observability/otel-collector';
import { imageOf, kubernetesServices } from '../../constructs/kubernetes/service-manifests';
import { ConstructPropError } from '../../constructs/model/errors';
import { SERVICE_ENVIRONMENT } from '../../constructs/model/service-contract';
import { type ServiceSpec, shutdownBudgetOf } from '../../constructs/model/service-spec';
import { catalog } from '../../services';
import { orders } from '../../services/orders/service';
import { writeKubernetesManifests } from '../../stacks/kubernetes-manifests';
import { hygieneViolations, restrictedViolations } from '../support/pod-security';

type Json = Record<string, any>;

// The Kubernetes schemas each kind is validated against.
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': core.Namespace,
  'v1/ServiceAccount': core.ServiceAccount,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Service': core.Service,
  'apps/v1/Deployment': apps.Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
};

function schemaErrors(object: Json): string | undefined {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no schema for ${object.apiVersion}/${object.kind}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

// A second kubernetes service that pins its image by digest, has a table and a route with a parameter.
const ratings: ServiceSpec = {
  name: 'ratings',
  runtime: 'kubernetes',
  routes: [{ route: 'GET /ratings/{productId}' }, { route: 'PUT /ratings/{productId}/stars' }],
  table: { partitionKey: 'pk' },
  scaling: { min: 1, max: 3 },
  container: {
    port: 3000,
    cpu: 100,
    memoryMiB: 128,
    healthCheckPath: '/healthz',
    dockerfileDirectory: '/unused',
    image: `registry.example.com/ratings@sha256:${'a'.repeat(64)}`,
  },
};
const specs = [...catalog, ratings];

let outdir: string;
let files: string[];
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-'));
  files = writeKubernetesManifests(specs, { platformName: 'shop', outdir, imageRegistry: 'registry.example.com' });
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const loaded = new Map<string, Json[]>();
/** The objects of one written file (parsed once; every test gets its own copy). */
const load = (name: string): Json[] => {
  if (!loaded.has(name)) loaded.set(name, Yaml.load(path.join(outdir, `${name}.yaml`)));
  return structuredClone(loaded.get(name)!);
};

test('writes the namespace and one file per kubernetes service, and nothing for the others', () => {
  expect(files.map((f) => path.basename(f)).sort()).toEqual(['namespace.yaml', 'pricing.yaml', 'ratings.yaml']);
  expect(kubernetesServices(specs).map((s) => s.name)).not.toContain(orders.name);
});

test('the namespace enforces the restricted Pod Security Standard', () => {
  const [namespace] = load('namespace');
  expect(schemaErrors(namespace)).toBeUndefined();
  expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
});

describe.each(kubernetesServices(specs).map((spec) => [spec.name, spec] as const))('%s', (name, spec) => {
  const objects = () => load(name);
  const one = (kind: string) => {
    const found = objects().filter((o) => o.kind === kind);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const pod = () => one('Deployment').spec.template.spec;

  test('every object validates against the Kubernetes schemas and sits in the namespace', () => {
    for (const object of objects()) {
      expect({ kind: object.kind, errors: schemaErrors(object) }).toEqual({ kind: object.kind, errors: undefined });
      expect(object.metadata.namespace).toBe('shop');
    }
  });

  test('pods meet the restricted Pod Security Standard', () => {
    expect(restrictedViolations(pod())).toEqual([]);
  });

  test('pods have requests, a memory limit, distinct probes, a pinned image, zone spread and no token', () => {
    expect(hygieneViolations(pod())).toEqual([]);
    const [container] = pod().containers;
    expect(container.resources).toEqual({ requests: { cpu: `${spec.container!.cpu}m`, memory: `${spec.container!.memoryMiB}Mi` }, limits: { memory: `${spec.container!.memoryMiB}Mi` } });
    expect(container.readinessProbe.httpGet.path).toBe(spec.container!.healthCheckPath);
    expect(container.livenessProbe.tcpSocket.port).toBe(spec.container!.port);
  });

  test('applies the shutdown budget: a preStop sleep of the pre-stop interval, then SIGTERM to a process that drains at once, within the grace period', () => {
    const budget = shutdownBudgetOf(spec.container!);
    expect(budget.preStopSeconds).toBeGreaterThan(0);
    const [container] = pod().containers;
    expect(container.lifecycle).toEqual({ preStop: { sleep: { seconds: budget.preStopSeconds } } });
    expect(pod().terminationGracePeriodSeconds).toBe(budget.terminationGracePeriodSeconds);
    expect(pod().terminationGracePeriodSeconds).toBeGreaterThanOrEqual(budget.preStopSeconds + budget.drainSeconds + 2);
    const env = Object.fromEntries(container.env.filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, e.value]));
    expect(env).toMatchObject({ DRAIN_SECONDS: String(budget.drainSeconds), [SERVICE_ENVIRONMENT.preStopSeconds]: '0' });
  });

  test('runs as its own ServiceAccount, which mounts no token', () => {
    const account = one('ServiceAccount');
    expect(account.metadata.name).toBe(name);
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod().serviceAccountName).toBe(name);
  });

  test('the Service selects the Deployment\'s pods on the container port', () => {
    const service = one('Service');
    const labels = one('Deployment').spec.template.metadata.labels;
    for (const [key, value] of Object.entries(service.spec.selector)) expect(labels[key]).toBe(value);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: spec.container!.port }]);
  });

  test('the autoscaler holds the spec\'s bounds, and the budget lets one pod go at a time', () => {
    expect(one('HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: spec.scaling!.min, maxReplicas: spec.scaling!.max, scaleTargetRef: { kind: 'Deployment', name } });
    const budget = one('PodDisruptionBudget').spec;
    expect(budget.maxUnavailable).toBe(1);
    expect(budget.selector.matchLabels).toEqual(one('Deployment').spec.selector.matchLabels);
  });

  test('has no way in from outside the cluster of its own: no Ingress and no target group binding unless asked for', () => {
    const kinds = objects().map((o) => o.kind);
    expect(kinds).not.toContain('Ingress');
    expect(kinds).not.toContain('TargetGroupBinding');
  });
});

describe('the ways in a chart is given', () => {
  const chart = (props: Partial<MicroserviceChartProps>) => new MicroserviceChart(new App(), 'ratings', { spec: ratings, namespace: 'shop', platformName: 'shop', ...props }).toJson() as Json[];
  const arn = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/shop-ratings/0123456789abcdef';

  test("a target group: the Service's pods are bound to it by IP with EKS Auto Mode's TargetGroupBinding, and there is no Ingress", () => {
    const objects = chart({ targetGroupBinding: { targetGroupArn: arn } });
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
    const bindings = objects.filter((o) => o.kind === 'TargetGroupBinding');
    expect(bindings).toEqual([{
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'TargetGroupBinding',
      metadata: expect.objectContaining({ name: 'ratings', namespace: 'shop' }),
      spec: { serviceRef: { name: 'ratings', port: 80 }, targetGroupARN: arn, targetType: 'ip' },
    }]);
    // The port it names is the Service's, which sends to the container port the target group is on.
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(service.metadata.name).toBe(bindings[0].spec.serviceRef.name);
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: bindings[0].spec.serviceRef.port, targetPort: ratings.container!.port })]);
    for (const object of objects.filter((o) => o.kind !== 'TargetGroupBinding')) expect(schemaErrors(object)).toBeUndefined();
  });

  test("the binding's API version can be the self-managed controller's", () => {
    const [binding] = chart({ targetGroupBinding: { targetGroupArn: arn, apiVersion: 'elbv2.k8s.aws/v1beta1' } }).filter((o) => o.kind === 'TargetGroupBinding');
    expect(binding.apiVersion).toBe('elbv2.k8s.aws/v1beta1');
  });

  test("an Ingress, when asked for: each route's literal prefix to the Service, on the alb class", () => {
    const objects = chart({ ingress: true });
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    expect(schemaErrors(ingress)).toBeUndefined();
    const paths = ingress.spec.rules[0].http.paths.map((p: Json) => [p.path, p.pathType, p.backend.service.name]);
    expect(paths).toEqual([['/ratings', 'Prefix', 'ratings']]);
    expect(ingress.spec.ingressClassName).toBe('alb');
    // The load balancer holds a deregistered pod's requests for the budget's delay, not its 300 s default.
    expect(ingress.metadata.annotations['alb.ingress.kubernetes.io/target-group-attributes']).toBe(`deregistration_delay.timeout_seconds=${shutdownBudgetOf(ratings.container).deregistrationDelaySeconds}`);
    expect(objects.some((o) => o.kind === 'TargetGroupBinding')).toBe(false);
  });
});

test('config becomes a ConfigMap read as CONFIG_<key> variables', () => {
  const objects = load('pricing');
  expect(objects.find((o) => o.kind === 'ConfigMap')!.data).toEqual({ taxRatePercent: '19', currency: 'EUR' });
  const container = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
  expect(container.envFrom).toEqual([{ configMapRef: { name: 'pricing-config' }, prefix: 'CONFIG_' }]);
  expect(load('ratings').some((o) => o.kind === 'ConfigMap')).toBe(false);
});

test('an image not pinned in the spec is tagged from its source, and the tag follows the source', () => {
  const image = (dir: string) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-img-'));
    const spec = { ...ratings, container: { ...ratings.container!, image: undefined, dockerfileDirectory: dir } };
    writeKubernetesManifests([spec], { platformName: 'shop', outdir: out, imageRegistry: 'registry.example.com/' });
    const deployment = (Yaml.load(path.join(out, 'ratings.yaml')) as Json[]).find((o) => o.kind === 'Deployment')!;
    fs.rmSync(out, { recursive: true, force: true });
    return deployment.spec.template.spec.containers[0].image as string;
  };
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-src-'));
  fs.writeFileSync(path.join(source, 'Dockerfile'), 'FROM scratch\n');
  const first = image(source);
  expect(first).toMatch(/^registry\.example\.com\/shop\/ratings:src-[0-9a-f]{16}$/);
  expect(image(source)).toBe(first);
  fs.writeFileSync(path.join(source, 'Dockerfile'), 'FROM scratch\nUSER 10001\n');
  expect(image(source)).not.toBe(first);
  fs.rmSync(source, { recursive: true, force: true });
});

test("with a build context, the tag follows what its .dockerignore lets into the build, and the Dockerfile", () => {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-ctx-'));
  fs.mkdirSync(path.join(context, 'app'));
  fs.mkdirSync(path.join(context, 'docs'));
  fs.writeFileSync(path.join(context, '.dockerignore'), '# only the app goes in\n*\n!app/\n');
  fs.writeFileSync(path.join(context, 'app', 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(context, 'app', 'main.js'), 'one');
  fs.writeFileSync(path.join(context, 'docs', 'notes.md'), 'one');
  const spec = { ...ratings, container: { ...ratings.container!, image: undefined, dockerfileDirectory: path.join(context, 'app'), buildContext: context } };
  const tag = () => imageOf(spec, 'shop', 'registry.example.com')!;
  const first = tag();
  expect(first).toMatch(/^registry\.example\.com\/shop\/ratings:src-[0-9a-f]{16}$/);
  fs.writeFileSync(path.join(context, 'docs', 'notes.md'), 'two');
  expect(tag()).toBe(first);
  fs.writeFileSync(path.join(context, 'app', 'main.js'), 'two');
  const second = tag();
  expect(second).not.toBe(first);
  fs.writeFileSync(path.join(context, 'app', 'Dockerfile'), 'FROM scratch\nUSER 10001\n');
  expect(tag()).not.toBe(second);
  fs.rmSync(context, { recursive: true, force: true });
});

test('a service without routes, config or scaling gets no Ingress, no ConfigMap, and two to four pods', () => {
  const worker: ServiceSpec = { ...ratings, name: 'worker', routes: undefined, scaling: undefined, table: undefined };
  const objects = new MicroserviceChart(new App(), 'worker', { spec: worker, namespace: 'shop', platformName: 'shop' }).toJson() as Json[];
  expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
  for (const object of objects) expect(schemaErrors(object)).toBeUndefined();
});

describe('with telemetry: an OpenTelemetry collector in each pod', () => {
  const telemetry = { serviceName: 'shop-dev-ratings', metricsNamespace: 'shop', metricsLogGroupName: '/eks/shop-dev/shop/ratings/metrics', region: 'eu-west-1', resourceAttributes: { 'deployment.environment': 'dev' }, traceSampleRate: 0.25 };
  const objects = () => new MicroserviceChart(new App(), 'ratings', { spec: ratings, namespace: 'shop', platformName: 'shop', telemetry }).toJson() as Json[];
  const pod = () => objects().find((o) => o.kind === 'Deployment')!.spec.template.spec;

  test('the pod still validates against the schemas and meets the restricted standard and the hygiene rules, sidecar included', () => {
    for (const object of objects()) expect({ kind: object.kind, errors: schemaErrors(object) }).toEqual({ kind: object.kind, errors: undefined });
    expect(restrictedViolations(pod())).toEqual([]);
    expect(hygieneViolations(pod())).toEqual([]);
  });

  test('the collector is a native sidecar: an init container that keeps running, health-checked, with its own requests and limit', () => {
    const [collector, ...others] = pod().initContainers;
    expect(others).toEqual([]);
    expect(collector).toMatchObject({
      name: COLLECTOR_CONTAINER_NAME,
      restartPolicy: 'Always',
      image: DEFAULT_COLLECTOR_IMAGE,
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '128Mi' } },
      startupProbe: { exec: { command: ['/healthcheck'] } },
      livenessProbe: { exec: { command: ['/healthcheck'] } },
      securityContext: { runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    });
    expect(collector.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'collector-tmp' }]);
    const env = Object.fromEntries(collector.env.map((e: Json) => [e.name, e.value ?? e.valueFrom]));
    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    const config = JSON.parse(env.AOT_CONFIG_CONTENT);
    // Only loopback listens: nothing outside the pod can send telemetry in its name.
    expect(Object.values(config.receivers.otlp.protocols).map((p) => (p as Json).endpoint)).toEqual(['127.0.0.1:4317', '127.0.0.1:4318']);
    expect(config.exporters.awsemf).toMatchObject({ namespace: 'shop', log_group_name: telemetry.metricsLogGroupName, log_stream_name: 'otel-${env:POD_NAME}' });
  });

  test("the service's container is pointed at the collector, with its name, resource attributes and sampling", () => {
    const [app] = pod().containers;
    const env = Object.fromEntries(app.env.map((e: Json) => [e.name, e.value]));
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'shop-dev-ratings',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=dev',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      POWERTOOLS_SERVICE_NAME: 'ratings',
    });
  });

  test('without telemetry there is no collector and no endpoint (tracing stays off)', () => {
    const plain = new MicroserviceChart(new App(), 'ratings', { spec: ratings, namespace: 'shop', platformName: 'shop' }).toJson().find((o: Json) => o.kind === 'Deployment');
    expect(plain.spec.template.spec.initContainers).toBeUndefined();
    expect(plain.spec.template.spec.containers[0].env.map((e: Json) => e.name)).not.toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  test('the hygiene check holds the sidecar to the rules too', () => {
    const stripped = structuredClone(pod());
    delete stripped.initContainers[0].resources.limits;
    stripped.initContainers[0].image = 'public.ecr.aws/aws-observability/aws-otel-collector';
    expect(hygieneViolations(stripped)).toEqual([
      `sidecar ${COLLECTOR_CONTAINER_NAME}: no memory limit`,
      `sidecar ${COLLECTOR_CONTAINER_NAME}: image 'public.ecr.aws/aws-observability/aws-otel-collector' is not pinned`,
    ]);
  });
});

describe('the checks themselves catch what they must', () => {
  test('the schema check rejects an object Kubernetes would reject', () => {
    const deployment = load('pricing').find((o) => o.kind === 'Deployment')!;
    expect(schemaErrors({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } })).toMatch(/replicas/);
    expect(schemaErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toMatch(/no schema/);
  });

  test("the restricted and hygiene checks flag a pod stripped of the chart's hardening", () => {
    const app = new App();
    const chart = new MicroserviceChart(app, 'plain', { spec: ratings, namespace: 'shop', platformName: 'shop' });
    const deployment = chart.toJson().find((o: Json) => o.kind === 'Deployment');
    const pod = structuredClone(deployment.spec.template.spec);
    delete pod.securityContext.seccompProfile;
    delete pod.containers[0].securityContext.capabilities;
    pod.containers[0].securityContext.allowPrivilegeEscalation = true;
    delete pod.topologySpreadConstraints;
    pod.automountServiceAccountToken = true;
    pod.containers[0].image = 'registry.example.com/ratings:latest';
    pod.containers[0].livenessProbe = pod.containers[0].readinessProbe;
    expect(restrictedViolations(pod)).toEqual([
      'container ratings: allowPrivilegeEscalation is not false',
      'container ratings: capabilities do not drop ALL',
      'container ratings: seccomp profile is unset',
    ]);
    expect(hygieneViolations(pod)).toEqual([
      'pod: mounts a service account token',
      'pod: does not spread across zones',
      'container ratings: readiness and liveness probes are the same',
      "container ratings: image 'registry.example.com/ratings:latest' is not pinned",
    ]);
  });
});

describe('bad props fail naming the chart and the prop', () => {
  const attempt = (props: Partial<MicroserviceChartProps>) => {
    try {
      new MicroserviceChart(new App(), 'Chart', { spec: ratings, namespace: 'shop', platformName: 'shop', ...props });
    } catch (error) {
      return error as Error;
    }
    return undefined;
  };

  test.each([
    ['a lambda spec', { spec: orders }, /^Chart: prop 'spec' describes 'orders' with runtime 'lambda'/],
    ['no image anywhere', { spec: { ...ratings, container: { ...ratings.container!, image: undefined } } }, /^Chart: prop 'image' is missing/],
    ['an image on latest', { image: 'registry.example.com/ratings:latest' }, /^Chart: prop 'image' 'registry.example.com\/ratings:latest' is not pinned/],
    ['an image with no tag', { image: 'registry.example.com/ratings' }, /^Chart: prop 'image' .* is not pinned/],
    ['a namespace that is not a DNS label', { namespace: 'Shop_Ns' }, /^Chart: prop 'namespace' 'Shop_Ns' is not a DNS label/],
    ['a CPU target out of range', { targetCpuUtilization: 5 }, /^Chart: prop 'targetCpuUtilization' is 5/],
    ['root as the user', { runAsUser: 0 }, /^Chart: prop 'runAsUser' is 0/],
    ['a stop timeout that does not cover the pre-stop interval and the drain', { spec: { ...ratings, container: { ...ratings.container!, preStopSeconds: 10, drainSeconds: 20, stopTimeoutSeconds: 25 } } }, /^Chart: prop 'spec.container.stopTimeoutSeconds' 25 s does not cover the drain: .* at least 32 s/],
    ['a sampling share above 1', { telemetry: { serviceName: 's', metricsNamespace: 'shop', metricsLogGroupName: '/x', traceSampleRate: 2 } }, /^Chart: prop 'telemetry.traceSampleRate' is 2; expected a share from 0 to 1/],
    ['an Ingress beside a target group', { ingress: true, targetGroupBinding: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/x/1' } }, /^Chart: prop 'ingress' is on together with targetGroupBinding; the routes of 'ratings' get one way in/],
  ])('%s', (_label, props, message) => {
    const error = attempt(props as Partial<MicroserviceChartProps>);
    expect(error).toBeInstanceOf(ConstructPropError);
    expect(error!.message).toMatch(message);
  });
});
