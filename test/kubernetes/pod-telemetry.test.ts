/**
 * From the chart to the alarm, with the real process: the pricing pod's environment exactly as its
 * chart writes it (only the collector's address swapped for a loopback OTLP receiver, as no
 * collector runs here) makes the bundled server export request metrics that the chart's collector
 * config selects, with every label its dimension sets need, under the service name the alarms read.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ConfigStore } from '../../constructs/config/config-store';
import { KubernetesPlatform } from '../../constructs/kubernetes/kubernetes-platform';
import { COLLECTOR_CONTAINER_NAME } from '../../constructs/kubernetes/microservice-chart';
import { REQUEST_DURATION_METRIC } from '../../constructs/model/telemetry';
import { COLLECTOR_OTLP_HTTP_ENDPOINT } from '../../constructs/observability/otel-collector';
import { pricing } from '../../services/pricing/service';
import { newStack } from '../constructs/helpers';
import { bundleContainerEntry, startProcess } from '../support/container-process';
import { type ExportedDataPoint, type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver';

type Json = Record<string, any>;

/** The pod's environment as the kubelet would set it: the container's `env` and its ConfigMap under the prefix. */
function podEnvironment(objects: Json[], container: string): Record<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const app = deployment.spec.template.spec.containers.find((c: Json) => c.name === container);
  const env: Record<string, string> = {};
  for (const source of app.envFrom ?? []) {
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name)!;
    for (const [key, value] of Object.entries(configMap.data as Record<string, string>)) env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of app.env ?? []) if (typeof variable.value === 'string') env[variable.name] = variable.value;
  return env;
}

describe('the pricing pod reports what its collector declares and its alarms read', () => {
  let receiver: OtlpReceiver;
  let serviceName: string;
  let collectorConfig: Json;
  let environment: Record<string, string>;
  let exitCode: number | string;

  beforeAll(async () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const config = new ConfigStore(stack, 'Config', { platformName: 'shop', environmentName: 'dev', services: [pricing] });
    const platform = new KubernetesPlatform(stack, 'Kubernetes', { platformName: 'shop', environmentName: 'dev', services: [pricing], vpc, config });
    serviceName = platform.telemetry.get('pricing')!.serviceName;
    const objects = platform.charts.get('pricing')!.toJson() as Json[];
    const collector = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.initContainers.find((c: Json) => c.name === COLLECTOR_CONTAINER_NAME);
    collectorConfig = JSON.parse(collector.env.find((e: Json) => e.name === 'AOT_CONFIG_CONTENT').value);
    environment = podEnvironment(objects, 'pricing');

    receiver = await startOtlpReceiver();
    expect(environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(COLLECTOR_OTLP_HTTP_ENDPOINT);
    const server = startProcess(bundleContainerEntry('services/pricing/server.ts'), { ...environment, PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    const port = Number((await server.waitForLog((line) => line.message === 'listening')).port);
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/pricing/tax-rate`).then((r) => r.arrayBuffer());
    await fetch(`${base}/pricing/quotes`, { method: 'POST', body: '{"items":[]}' }).then((r) => r.arrayBuffer());
    server.child.kill('SIGTERM');
    exitCode = await server.exited;
  }, 90_000);
  afterAll(() => receiver?.stop());

  const requestPoints = (): ExportedDataPoint[] => receiver.dataPoints().filter((p) => p.metric === REQUEST_DURATION_METRIC);

  test('the process ran on the chart environment and exited cleanly', () => {
    expect(environment).toMatchObject({ CONFIG_taxRatePercent: '19', CONFIG_currency: 'EUR', OTEL_SERVICE_NAME: serviceName });
    expect(exitCode).toBe(0);
    expect(requestPoints().length).toBeGreaterThan(0);
  });

  test('every request point is reported under the service name the alarms read, and the environment', () => {
    for (const point of requestPoints()) expect(point.resource).toMatchObject({ 'service.name': serviceName, 'deployment.environment': 'dev' });
    expect(receiver.spans().every((span) => span.resource['service.name'] === serviceName)).toBe(true);
  });

  test("the collector's declarations select the metric, and every point carries each label of every dimension set", () => {
    const declarations = collectorConfig.exporters.awsemf.metric_declarations as { dimensions: string[][]; metric_name_selectors: string[] }[];
    const selecting = declarations.filter((d) => d.metric_name_selectors.some((re) => new RegExp(re).test(REQUEST_DURATION_METRIC)));
    expect(selecting).toHaveLength(1);
    // resource_to_telemetry_conversion makes resource attributes labels too.
    expect(collectorConfig.exporters.awsemf.resource_to_telemetry_conversion).toEqual({ enabled: true });
    for (const point of requestPoints()) {
      const labels = { ...point.resource, ...point.attributes };
      for (const set of selecting[0].dimensions) for (const dimension of set) expect({ dimension, present: dimension in labels }).toEqual({ dimension, present: true });
    }
    expect(requestPoints().map((p) => p.attributes['http.response.status_class']).sort()).toEqual(['2xx', '4xx']);
  });
});
