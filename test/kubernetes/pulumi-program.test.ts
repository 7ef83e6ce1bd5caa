import * as pulumi from '@pulumi/pulumi';
import { kubernetesServices } from '../../constructs/kubernetes/service-manifests';
import { catalog } from '../../services';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

// Every resource the program registers, as the Pulumi engine would see it; no CLI, no cluster.
const registered: Registered[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  'shop-kubernetes',
  'dev',
  false,
);

const NAMESPACE = 'shop-staging';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

/** Resolves an Output in a test. */
const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

let program: typeof import('../../pulumi/index');
beforeAll(async () => {
  pulumi.runtime.setAllConfig({
    'shop-kubernetes:kubeconfig': 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n',
    'shop-kubernetes:namespace': NAMESPACE,
    'shop-kubernetes:imageRegistry': REGISTRY,
  });
  // Loaded only now, after the mocks and the stack config are in place, as the Pulumi engine would run it.
  program = require('../../pulumi/index') as typeof import('../../pulumi/index');
  await valueOf(program.namespace);
  // The ConfigGroups register their objects asynchronously; wait until every service's Deployment is in.
  for (let i = 0; i < 200 && registered.filter((r) => r.type === 'kubernetes:apps/v1:Deployment').length < kubernetesServices(catalog).length; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

const ofType = (type: string) => registered.filter((r) => r.type === type);
const specs = kubernetesServices(catalog);

test('the catalog has kubernetes services to deploy', () => {
  expect(specs.map((s) => s.name)).toContain('pricing');
  expect(program.services).toEqual(specs.map((s) => s.name));
});

test('makes the configured namespace, enforcing the restricted Pod Security Standard', async () => {
  expect(await valueOf(program.namespace)).toBe(NAMESPACE);
  const [namespace] = ofType('kubernetes:core/v1:Namespace');
  expect(namespace.inputs.metadata.name).toBe(NAMESPACE);
  expect(namespace.inputs.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
});

test('talks to the cluster through a provider built from the kubeconfig in stack config', () => {
  const providers = ofType('pulumi:providers:kubernetes');
  expect(providers).toHaveLength(1);
  expect(JSON.stringify(providers[0].inputs.kubeconfig)).toContain('kind: Config');
  expect(providers[0].inputs.namespace).toBe(NAMESPACE);
});

describe.each(specs.map((spec) => [spec.name, spec] as const))('%s', (name, spec) => {
  const one = (type: string) => {
    const found = ofType(type).filter((r) => r.inputs.metadata?.name === name);
    expect(found).toHaveLength(1);
    return found[0].inputs;
  };

  test('registers a Deployment, Service, HPA and PDB, all in the configured namespace', () => {
    for (const type of ['kubernetes:apps/v1:Deployment', 'kubernetes:core/v1:Service', 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'kubernetes:policy/v1:PodDisruptionBudget']) {
      expect({ type, namespace: one(type).metadata.namespace }).toEqual({ type, namespace: NAMESPACE });
    }
  });

  test('runs the image tagged from its source in the configured registry', () => {
    const [container] = one('kubernetes:apps/v1:Deployment').spec.template.spec.containers;
    expect(container.image).toMatch(new RegExp(`^${REGISTRY.replace(/\./g, '\\.')}/shop/${name}:src-[0-9a-f]{16}$`));
    expect(container.ports[0].containerPort).toBe(spec.container!.port);
  });

  test('scales between the replicas the spec bounds', () => {
    const hpa = one('kubernetes:autoscaling/v2:HorizontalPodAutoscaler');
    expect({ min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas, target: hpa.spec.scaleTargetRef.name }).toEqual({ min: spec.scaling!.min, max: spec.scaling!.max, target: name });
  });

  test('keeps at most one pod disrupted at a time', () => {
    expect(one('kubernetes:policy/v1:PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });
});
