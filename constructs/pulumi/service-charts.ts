import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { namespaceManifest, serviceManifests } from '../kubernetes/service-manifests';
import type { ServiceSpec } from '../model/service-spec';

/** Arguments of ServiceCharts. */
export interface ServiceChartsArgs {
  /** The catalog; only its kubernetes services are deployed. */
  readonly services: readonly ServiceSpec[];
  /** Platform name, e.g. `shop`. */
  readonly platformName: string;
  /** The namespace made for the services (it enforces the restricted Pod Security Standard). */
  readonly namespace: string;
  /** Registry of the images the specs do not pin. @default - every kubernetes spec must pin its image */
  readonly imageRegistry?: string;
  /** Kubeconfig (contents or path) of the target cluster. @default - the ambient kubeconfig of the Pulumi run */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Kubeconfig context to use. @default - the kubeconfig's current context */
  readonly context?: pulumi.Input<string>;
}

/**
 * The kubernetes services of a catalog on any cluster: the very objects MicroserviceChart makes
 * for CDK (same code, same specs), applied by @pulumi/kubernetes into a namespace of their own.
 */
export class ServiceCharts extends pulumi.ComponentResource {
  /** The namespace. */
  public readonly namespace: k8s.core.v1.Namespace;
  /** One ConfigGroup per service, holding its objects. */
  public readonly groups: Readonly<Record<string, k8s.yaml.ConfigGroup>>;
  /** The provider, when a kubeconfig was given. */
  public readonly provider?: k8s.Provider;

  constructor(name: string, args: ServiceChartsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('msa-platform-blueprint:kubernetes:ServiceCharts', name, {}, opts);
    if (args.kubeconfig !== undefined) {
      this.provider = new k8s.Provider(`${name}-cluster`, { kubeconfig: args.kubeconfig, context: args.context, namespace: args.namespace }, { parent: this });
    }
    const options = { parent: this, provider: this.provider };
    const manifest = namespaceManifest(args.namespace, args.platformName);
    this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: manifest.metadata }, options);

    const groups: Record<string, k8s.yaml.ConfigGroup> = {};
    const manifests = serviceManifests(args.services, { platformName: args.platformName, namespace: args.namespace, imageRegistry: args.imageRegistry });
    for (const [service, objects] of manifests) {
      groups[service] = new k8s.yaml.ConfigGroup(`${name}-${service}`, { objs: objects }, { ...options, dependsOn: [this.namespace] });
    }
    this.groups = groups;
    this.registerOutputs({ namespace: this.namespace.metadata.name, services: Object.keys(groups) });
  }
}
