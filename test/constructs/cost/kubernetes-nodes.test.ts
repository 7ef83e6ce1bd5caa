import { cheapestNodes, cpuMillisOf, memoryMiBOf, nodeDemandOf } from '../../../constructs/cost/kubernetes-nodes';
import type { AutoModeNodePrices } from '../../../constructs/cost/price-table';

const OFFERS: AutoModeNodePrices = {
  source: 'ec2',
  feeSource: 'eks-auto-mode',
  managementFeeFraction: 0.12,
  instances: {
    'c7a.medium': { hour: 0.05132, vcpu: 1, memoryGiB: 2 },
    'c6a.large': { hour: 0.0765, vcpu: 2, memoryGiB: 4 },
    'm6a.large': { hour: 0.0864, vcpu: 2, memoryGiB: 8 },
  },
};

const deployment = (name: string, containers: object[], extra: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { replicas: 1, template: { spec: { containers, ...extra } } },
});
const hpa = (name: string, minReplicas: number) => ({ kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: 'shop' }, spec: { minReplicas, scaleTargetRef: { kind: 'Deployment', name } } });
const requesting = (cpu: string, memory: string) => ({ name: 'c', resources: { requests: { cpu, memory } } });

describe('the nodes the kubernetes manifests need', () => {
  test('reads CPU and memory quantities as Kubernetes writes them', () => {
    expect([cpuMillisOf('250m'), cpuMillisOf('0.5'), cpuMillisOf('2'), cpuMillisOf(undefined)]).toEqual([250, 500, 2000, undefined]);
    expect([memoryMiBOf('256Mi'), memoryMiBOf('1Gi'), memoryMiBOf('1048576'), memoryMiBOf('1x')]).toEqual([256, 1024, 1, undefined]);
  });

  test("counts a pod's containers and sidecars together, at its autoscaler's minimum", () => {
    const demand = nodeDemandOf([
      deployment('quotes', [requesting('500m', '1Gi')], { initContainers: [{ ...requesting('100m', '256Mi'), restartPolicy: 'Always' }, requesting('2', '64Mi')] }),
      hpa('quotes', 3),
    ]);
    // containers 500m + sidecar 100m; the plain init container's 2 CPUs run before them, so the pod needs 2000m
    expect(demand.workloads).toEqual([{ workload: 'Deployment/shop/quotes', replicas: 3, cpuMillis: 2000, memoryMiB: 1280 }]);
  });

  test('packs the pods on the cheapest instances that hold them, the Auto Mode fee included', () => {
    const demand = nodeDemandOf([deployment('quotes', [requesting('500m', '1Gi'), requesting('100m', '256Mi')]), hpa('quotes', 3)]);
    // 3 pods of 600m and 1280 MiB: one per c7a.medium (3 x 0.05132 x 1.12 = 0.172 USD/h),
    // or all three on one c6a.large (1800m of 2000m, 3840 of 4096 MiB: 0.0765 x 1.12 = 0.0857 USD/h)
    const plan = cheapestNodes(demand, OFFERS)!;
    expect(plan).toMatchObject({ instanceType: 'c6a.large', nodes: 1 });
    expect(plan.nodes * (plan.offer.hour + plan.feePerHour) * 730).toBeCloseTo(62.5464, 4);
  });

  test("leaves each node's daemon set share out of what the pods may use", () => {
    const daemon = { kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { template: { spec: { containers: [requesting('300m', '512Mi')] } } } };
    const demand = nodeDemandOf([deployment('quotes', [requesting('600m', '1280Mi')]), hpa('quotes', 3), daemon]);
    // with 300m taken on each node, a c6a.large holds two pods (1200m of 1700m); two c6a.large beat three c7a.medium
    // (a c7a.medium has 700m left: one pod each, 0.1724 against 0.1714 USD/h) and two m6a.large (also two pods each, dearer)
    expect(cheapestNodes(demand, OFFERS)).toMatchObject({ instanceType: 'c6a.large', nodes: 2 });
  });

  test('needs no nodes when no pods run, and none fit when a pod is larger than every candidate', () => {
    expect(cheapestNodes(nodeDemandOf([]), OFFERS)).toBeUndefined();
    expect(cheapestNodes(nodeDemandOf([deployment('big', [requesting('4', '1Gi')])]), OFFERS)).toBeUndefined();
  });
});
