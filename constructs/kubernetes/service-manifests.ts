import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystem, IgnoreMode } from 'aws-cdk-lib';
import { App } from 'cdk8s';
import type { ServiceSpec } from '../model/service-spec';
import { MicroserviceChart, MicroserviceChartProps } from './microservice-chart';

/** A Kubernetes object as plain JSON. */
export type KubernetesObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** Options of serviceManifests. */
export interface ServiceManifestsOptions {
  /** Platform name, e.g. `shop`. */
  readonly platformName: string;
  /** The namespace every object goes into. */
  readonly namespace: string;
  /**
   * Registry for images the specs do not pin; the image is `<registry>/<platform>/<service>:src-<hash of its Dockerfile directory>`.
   * @default - every kubernetes spec must pin `container.image`
   */
  readonly imageRegistry?: string;
  /** Escape hatch for the charts' other props. @default - the chart defaults */
  readonly chartProps?: Partial<Omit<MicroserviceChartProps, 'spec' | 'namespace' | 'platformName'>>;
}

/** The specs that run on Kubernetes. */
export function kubernetesServices(specs: readonly ServiceSpec[]): ServiceSpec[] {
  return specs.filter((spec) => spec.runtime === 'kubernetes');
}

/**
 * The image of a kubernetes spec: its pinned `container.image`, or else a tag derived from the
 * content of its build context (what its `.dockerignore` lets into the build) and its Dockerfile,
 * so the tag changes exactly when the image's sources do.
 */
export function imageOf(spec: ServiceSpec, platformName: string, imageRegistry?: string): string | undefined {
  const container = spec.container;
  if (container?.image) return container.image;
  if (!container || imageRegistry === undefined) return undefined;
  const context = container.buildContext ?? container.dockerfileDirectory;
  const ignoreFile = path.join(context, '.dockerignore');
  const exclude = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#')) : [];
  const sources = FileSystem.fingerprint(context, { exclude, ignoreMode: IgnoreMode.DOCKER, extraHash: fs.readFileSync(path.join(container.dockerfileDirectory, 'Dockerfile'), 'utf8') });
  return `${imageRegistry.replace(/\/+$/, '')}/${platformName}/${spec.name}:src-${sources.slice(0, 16)}`;
}

/**
 * The manifests of every kubernetes service, by service name, made through MicroserviceChart in
 * a cdk8s app of their own. Needs no cluster and no network.
 */
export function serviceManifests(specs: readonly ServiceSpec[], options: ServiceManifestsOptions): Map<string, KubernetesObject[]> {
  const app = new App();
  const manifests = new Map<string, KubernetesObject[]>();
  for (const spec of kubernetesServices(specs)) {
    const chart = new MicroserviceChart(app, spec.name, {
      ...options.chartProps,
      spec,
      namespace: options.namespace,
      platformName: options.platformName,
      image: imageOf(spec, options.platformName, options.imageRegistry),
    });
    manifests.set(spec.name, chart.toJson() as KubernetesObject[]);
  }
  return manifests;
}

/** The namespace the services run in, enforcing the "restricted" Pod Security Standard. */
export function namespaceManifest(namespace: string, platformName: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        'app.kubernetes.io/part-of': platformName,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  };
}
