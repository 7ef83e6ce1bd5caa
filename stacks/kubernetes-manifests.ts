import * as fs from 'node:fs';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { type ServiceSpec, namespaceManifest, serviceManifests } from 'msa-platform-blueprint';

/** Options of writeKubernetesManifests. */
export interface WriteKubernetesManifestsOptions {
  /** Platform name; also the namespace. */
  readonly platformName: string;
  /** Folder the YAML files go to (emptied first). */
  readonly outdir: string;
  /** Registry of the images the specs do not pin. */
  readonly imageRegistry: string;
}

/**
 * Writes the charts of the kubernetes services as YAML: `namespace.yaml` (the restricted namespace)
 * and one `<service>.yaml` per service, ready for `kubectl apply -f`. Needs no cluster and no network.
 * Returns the files written.
 */
export function writeKubernetesManifests(specs: readonly ServiceSpec[], options: WriteKubernetesManifestsOptions): string[] {
  fs.rmSync(options.outdir, { recursive: true, force: true });
  fs.mkdirSync(options.outdir, { recursive: true });
  const namespace = options.platformName;
  const files: string[] = [];
  const write = (name: string, objects: unknown[]) => {
    const file = path.join(options.outdir, `${name}.yaml`);
    fs.writeFileSync(file, Yaml.stringify(...objects));
    files.push(file);
  };
  const manifests = serviceManifests(specs, { platformName: options.platformName, namespace, imageRegistry: options.imageRegistry });
  if (manifests.size > 0) write('namespace', [namespaceManifest(namespace, options.platformName)]);
  for (const [service, objects] of manifests) write(service, objects);
  return files;
}
