/**
 * The nodes EKS Auto Mode needs for the kubernetes services at their minimum: the pods' resource
 * requests and minimum replicas, read from the manifests a template applies, packed onto the
 * cheapest candidate instances that hold them.
 */
import type { AutoModeNodePrices, NodeOffer } from './price-table';

/** Pods of one workload at its minimum. */
export interface WorkloadDemand {
  /** `<kind>/<namespace>/<name>`. */
  readonly workload: string;
  /** Pods at the minimum: the HorizontalPodAutoscaler's minReplicas, else the replicas, else 1. */
  readonly replicas: number;
  /** CPU one pod requests, in millicores (sidecars included). */
  readonly cpuMillis: number;
  /** Memory one pod requests, in MiB (sidecars included). */
  readonly memoryMiB: number;
}

/** What the manifests ask of the nodes: the workloads' pods, and what each node's daemon pods take. */
export interface NodeDemand {
  /** Workloads whose pods run at the minimum. */
  readonly workloads: readonly WorkloadDemand[];
  /** CPU the daemon sets take on every node, in millicores. */
  readonly daemonCpuMillis: number;
  /** Memory the daemon sets take on every node, in MiB. */
  readonly daemonMemoryMiB: number;
}

/** The cheapest set of nodes that holds the pods. */
export interface NodePlan {
  /** The instance type. */
  readonly instanceType: string;
  /** Its price and size. */
  readonly offer: NodeOffer;
  /** How many. */
  readonly nodes: number;
  /** The Auto Mode management fee of one node, USD per hour. */
  readonly feePerHour: number;
}

const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes CPU quantity (`250m`, `0.5`, `2`) in millicores; `undefined` when absent or unreadable. */
export function cpuMillisOf(quantity: unknown): number | undefined {
  if (typeof quantity === 'number') return quantity * 1000;
  if (typeof quantity !== 'string') return undefined;
  const match = /^([0-9.]+)(m?)$/.exec(quantity.trim());
  if (!match) return undefined;
  return match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
}

/** A Kubernetes memory quantity (`256Mi`, `1Gi`, `512M`, bytes) in MiB; `undefined` when absent or unreadable. */
export function memoryMiBOf(quantity: unknown): number | undefined {
  if (typeof quantity === 'number') return quantity / 2 ** 20;
  if (typeof quantity !== 'string') return undefined;
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity.trim());
  if (!match) return undefined;
  const scale = match[2] === '' ? 1 : (BINARY_SUFFIXES[match[2]] ?? DECIMAL_SUFFIXES[match[2]]);
  return scale === undefined ? undefined : (Number(match[1]) * scale) / 2 ** 20;
}

type Json = Record<string, any>;

/** What one container requests (its limits where it sets no request, as Kubernetes does). */
function requestOf(container: Json): { cpu: number; memory: number } {
  const resources = container.resources ?? {};
  return {
    cpu: cpuMillisOf(resources.requests?.cpu ?? resources.limits?.cpu) ?? 0,
    memory: memoryMiBOf(resources.requests?.memory ?? resources.limits?.memory) ?? 0,
  };
}

/**
 * What one pod requests, as the scheduler counts it: its containers and sidecars (init containers
 * that keep running, `restartPolicy: Always`) together, or the largest plain init container if that
 * is more.
 */
export function podRequestOf(podSpec: Json): { cpu: number; memory: number } {
  const sidecars = (podSpec.initContainers ?? []).filter((c: Json) => c.restartPolicy === 'Always');
  const inits = (podSpec.initContainers ?? []).filter((c: Json) => c.restartPolicy !== 'Always');
  const running = [...(podSpec.containers ?? []), ...sidecars].map(requestOf);
  const cpu = running.reduce((sum, r) => sum + r.cpu, 0);
  const memory = running.reduce((sum, r) => sum + r.memory, 0);
  const initMax = inits.map(requestOf).reduce((max: { cpu: number; memory: number }, r: { cpu: number; memory: number }) => ({ cpu: Math.max(max.cpu, r.cpu), memory: Math.max(max.memory, r.memory) }), { cpu: 0, memory: 0 });
  return { cpu: Math.max(cpu, initMax.cpu), memory: Math.max(memory, initMax.memory) };
}

const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/**
 * The pods a set of manifests runs at its minimum. Deployments, stateful sets and replica sets count
 * their autoscaler's `minReplicas` (else `replicas`, else 1); bare pods count once; daemon sets count
 * on every node; jobs and cron jobs run only now and then and are not counted.
 */
export function nodeDemandOf(objects: readonly Json[]): NodeDemand {
  const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? 'default'}/${name}`;
  const minimums = new Map<string, number>();
  for (const object of objects) {
    if (object?.kind !== 'HorizontalPodAutoscaler') continue;
    const target = object.spec?.scaleTargetRef ?? {};
    minimums.set(key(target.kind, object.metadata?.namespace, target.name), object.spec?.minReplicas ?? 1);
  }
  const workloads: WorkloadDemand[] = [];
  let daemonCpuMillis = 0;
  let daemonMemoryMiB = 0;
  for (const object of objects) {
    const workload = key(object?.kind, object?.metadata?.namespace, object?.metadata?.name);
    if (REPLICATED_KINDS.has(object?.kind)) {
      const request = podRequestOf(object.spec?.template?.spec ?? {});
      workloads.push({ workload, replicas: minimums.get(workload) ?? object.spec?.replicas ?? 1, cpuMillis: request.cpu, memoryMiB: request.memory });
    } else if (object?.kind === 'Pod') {
      const request = podRequestOf(object.spec ?? {});
      workloads.push({ workload, replicas: 1, cpuMillis: request.cpu, memoryMiB: request.memory });
    } else if (object?.kind === 'DaemonSet') {
      const request = podRequestOf(object.spec?.template?.spec ?? {});
      daemonCpuMillis += request.cpu;
      daemonMemoryMiB += request.memory;
    }
  }
  return { workloads, daemonCpuMillis, daemonMemoryMiB };
}

/** How many nodes of one size hold the pods, first fit by decreasing size; `undefined` if a pod fits no node. */
function nodesNeeded(pods: readonly { cpu: number; memory: number }[], cpu: number, memory: number): number | undefined {
  if (pods.some((pod) => pod.cpu > cpu || pod.memory > memory)) return undefined;
  const sorted = [...pods].sort((a, b) => Math.max(b.cpu / cpu, b.memory / memory) - Math.max(a.cpu / cpu, a.memory / memory));
  const free: { cpu: number; memory: number }[] = [];
  for (const pod of sorted) {
    const node = free.find((n) => n.cpu >= pod.cpu && n.memory >= pod.memory);
    if (node) {
      node.cpu -= pod.cpu;
      node.memory -= pod.memory;
    } else free.push({ cpu: cpu - pod.cpu, memory: memory - pod.memory });
  }
  return free.length;
}

/**
 * The cheapest nodes (instance price plus the Auto Mode fee) among the candidates that hold every
 * pod, counting each pod's requests against the node's whole vCPU and memory less the daemon sets'
 * share; `undefined` when no pods run or no candidate holds the largest pod.
 */
export function cheapestNodes(demand: NodeDemand, prices: AutoModeNodePrices): NodePlan | undefined {
  const pods = demand.workloads.flatMap((w) => Array.from({ length: w.replicas }, () => ({ cpu: w.cpuMillis, memory: w.memoryMiB })));
  if (pods.length === 0) return undefined;
  let best: (NodePlan & { perHour: number }) | undefined;
  for (const [instanceType, offer] of Object.entries(prices.instances).sort(([a], [b]) => a.localeCompare(b))) {
    const nodes = nodesNeeded(pods, offer.vcpu * 1000 - demand.daemonCpuMillis, offer.memoryGiB * 1024 - demand.daemonMemoryMiB);
    if (nodes === undefined) continue;
    const feePerHour = offer.hour * prices.managementFeeFraction;
    const perHour = nodes * (offer.hour + feePerHour);
    if (!best || perHour < best.perHour - 1e-12 || (Math.abs(perHour - best.perHour) <= 1e-12 && nodes < best.nodes)) {
      best = { instanceType, offer, nodes, feePerHour, perHour };
    }
  }
  return best && { instanceType: best.instanceType, offer: best.offer, nodes: best.nodes, feePerHour: best.feePerHour };
}
