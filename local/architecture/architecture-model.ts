/**
 * The architecture of a catalog as plain data: who serves what, who calls whom, which events flow
 * through the bus to which consumers, and which services each saga drives. The specs give names,
 * runtimes, routes, calls and events; a synthesized cloud assembly, when given, adds what only the
 * constructs decide (the stack each service landed in, the rules that deliver events to consumer
 * queues, each saga's states and the functions its tasks invoke).
 */
import { PlatformSpecError, type RuntimeRules, type SagaSpec, type ServiceSpec, type ServiceSpecBase, catalogProblems, sagaProblems } from 'msa-platform-blueprint';
import { type AssemblyFacts, readAssemblyFacts } from './assembly-facts';

/** Id of the edge (the API gateway) node. */
export const EDGE_NODE_ID = 'edge';
/** Id of the event bus node. */
export const BUS_NODE_ID = 'bus';
/** Id of a service's node. */
export const serviceNodeId = (name: string): string => `service:${name}`;
/** Id of a saga's node. */
export const sagaNodeId = (name: string): string => `saga:${name}`;

/** A service of the catalog. */
export interface ServiceNode {
  readonly kind: 'service';
  readonly id: string;
  readonly name: string;
  /** The runtime its spec names (`lambda`, `fargate`, `kubernetes`, or one a user added). */
  readonly runtime: string;
  /** Its routes at the edge, as written in its spec (`GET /orders/{id}`). */
  readonly routes: readonly string[];
  /** Its spec's one-line description. */
  readonly description?: string;
  /** The stack it landed in; only when read from an assembly. */
  readonly stack?: string;
}

/** The edge: the API gateway in front of every routed service. */
export interface EdgeNode {
  readonly kind: 'edge';
  readonly id: typeof EDGE_NODE_ID;
}

/** The event bus every domain event goes through. */
export interface BusNode {
  readonly kind: 'bus';
  readonly id: typeof BUS_NODE_ID;
}

/** One state of a saga's state machine, as synthesized. */
export interface SagaState {
  readonly name: string;
  /** The state's type (`Task`, `Succeed`, `Fail`, ...). */
  readonly type: string;
  /** The service whose function the task invokes. */
  readonly service?: string;
  /** The action the task asks of it. */
  readonly action?: string;
}

/** A saga: a state machine started by an event. */
export interface SagaNode {
  readonly kind: 'saga';
  readonly id: string;
  readonly name: string;
  /** The event types that start it. */
  readonly startOn: readonly string[];
  /** Its states; only when read from an assembly. */
  readonly states?: readonly SagaState[];
  /** The stack its state machine landed in; only when read from an assembly. */
  readonly stack?: string;
}

/** Any node of the architecture. */
export type ArchitectureNode = ServiceNode | EdgeNode | BusNode | SagaNode;

/**
 * What an edge stands for:
 * - `route`: the edge forwards a service's routes to it;
 * - `call`: a service calls another (found through discovery);
 * - `publish`: a service publishes event types to the bus;
 * - `deliver`: the bus delivers event types to a consumer (a service's queue, or a saga's start);
 * - `invoke`: a saga's tasks invoke a service's actions.
 */
export type ArchitectureEdgeKind = 'route' | 'call' | 'publish' | 'deliver' | 'invoke';

/** Every edge kind, in legend order. */
export const EDGE_KINDS: readonly ArchitectureEdgeKind[] = ['route', 'call', 'publish', 'deliver', 'invoke'];

/** A directed edge between two nodes of the model. */
export interface ArchitectureEdge {
  readonly kind: ArchitectureEdgeKind;
  /** Id of the node it leaves. */
  readonly from: string;
  /** Id of the node it enters. */
  readonly to: string;
  /** What travels along it: routes, event types or saga actions (empty for a call). */
  readonly labels: readonly string[];
}

/** The architecture of a catalog: plain, serializable data (JSON round-trips it). */
export interface ArchitectureModel {
  /** Where the facts come from: the specs alone, or the specs and a synthesized assembly. */
  readonly source: 'specs' | 'specs+assembly';
  /** Services (in catalog order), then the edge and the bus when anything uses them, then the sagas. */
  readonly nodes: readonly ArchitectureNode[];
  readonly edges: readonly ArchitectureEdge[];
}

/** What {@link architectureOf} reads. */
export interface ArchitectureInput {
  /** The service catalog. */
  readonly services: readonly ServiceSpec[];
  /** The sagas across it. @default - none */
  readonly sagas?: readonly SagaSpec[];
  /**
   * A cloud assembly synthesized from this catalog (e.g. `cdk.out/dev`): the stacks, event rules and
   * saga state machines are then read from it rather than derived from the specs.
   * @default - the specs alone
   */
  readonly assemblyDir?: string;
  /**
   * The rules of every runtime a spec may name, for catalogs with runtimes added from outside.
   * @default - the built-in rules (lambda, fargate, kubernetes)
   */
  readonly runtimes?: readonly RuntimeRules[];
}

/**
 * The architecture of a catalog. The specs and sagas are validated first with the library's own
 * catalog and saga checks, so a call to an unknown service, a duplicate name or an event nobody
 * publishes fails with a `PlatformSpecError` naming each service (or saga) and field.
 *
 * @throws PlatformSpecError when the catalog or the sagas are invalid
 * @throws Error when `assemblyDir` is not a cloud assembly, or holds a service or saga the specs do not
 */
export function architectureOf(input: ArchitectureInput): ArchitectureModel {
  const { services, sagas = [], runtimes } = input;
  const problems = [...catalogProblems(services, { runtimes }), ...sagaProblems(sagas, services, { runtimes })];
  if (problems.length > 0) throw PlatformSpecError.of(problems);
  const facts = input.assemblyDir === undefined ? undefined : readAssemblyFacts(input.assemblyDir, { services: services.map((s) => s.name), sagas: sagas.map((s) => s.name) });

  const edges: ArchitectureEdge[] = [];
  const serviceNodes: ServiceNode[] = services.map((spec) => ({
    kind: 'service',
    id: serviceNodeId(spec.name),
    name: spec.name,
    runtime: spec.runtime,
    routes: (spec.routes ?? []).map((r) => r.route),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(facts?.stackOfService.has(spec.name) ? { stack: facts.stackOfService.get(spec.name) } : {}),
  }));
  for (const node of serviceNodes) {
    if (node.routes.length > 0) edges.push({ kind: 'route', from: EDGE_NODE_ID, to: node.id, labels: node.routes });
  }
  for (const spec of services) {
    for (const callee of spec.calls ?? []) edges.push({ kind: 'call', from: serviceNodeId(spec.name), to: serviceNodeId(callee), labels: [] });
  }
  for (const spec of services) {
    const published = spec.events?.publishes ?? [];
    if (published.length > 0) edges.push({ kind: 'publish', from: serviceNodeId(spec.name), to: BUS_NODE_ID, labels: [...published] });
  }
  edges.push(...(facts ? deliveriesFromAssembly(facts) : deliveriesFromSpecs(services, sagas)));

  const sagaNodes: SagaNode[] = sagas.map((saga) => {
    const machine = facts?.sagas.get(saga.name);
    return {
      kind: 'saga',
      id: sagaNodeId(saga.name),
      name: saga.name,
      startOn: machine ? machine.startOn : [saga.startOn],
      ...(machine ? { states: machine.states, stack: machine.stack } : {}),
    };
  });
  for (const saga of sagas) {
    const machine = facts?.sagas.get(saga.name);
    const actions = machine ? machine.states.filter((s) => s.service !== undefined) : [...saga.steps.flatMap((step) => [step.invoke, step.compensate]), saga.complete, saga.reject];
    for (const [service, names] of groupActions(actions)) edges.push({ kind: 'invoke', from: sagaNodeId(saga.name), to: serviceNodeId(service), labels: names });
  }

  const uses = (id: string) => edges.some((e) => e.from === id || e.to === id);
  const shared: ArchitectureNode[] = [...(uses(EDGE_NODE_ID) ? [{ kind: 'edge', id: EDGE_NODE_ID } as const] : []), ...(uses(BUS_NODE_ID) ? [{ kind: 'bus', id: BUS_NODE_ID } as const] : [])];
  return { source: facts ? 'specs+assembly' : 'specs', nodes: [...serviceNodes, ...shared, ...sagaNodes], edges };
}

/** Each consumer's subscription as the specs declare it: the event types it consumes (the catalog check has made sure someone publishes each), and each saga's start. */
function deliveriesFromSpecs(services: readonly ServiceSpecBase[], sagas: readonly SagaSpec[]): ArchitectureEdge[] {
  const consumers = services
    .filter((spec) => (spec.events?.consumes ?? []).length > 0)
    .map((spec): ArchitectureEdge => ({ kind: 'deliver', from: BUS_NODE_ID, to: serviceNodeId(spec.name), labels: [...(spec.events?.consumes ?? [])] }));
  const starts = sagas.map((saga): ArchitectureEdge => ({ kind: 'deliver', from: BUS_NODE_ID, to: sagaNodeId(saga.name), labels: [saga.startOn] }));
  return [...consumers, ...starts];
}

/** Each rule on the bus as synthesized: the event types of its pattern, to the service or saga that owns its target. */
function deliveriesFromAssembly(facts: AssemblyFacts): ArchitectureEdge[] {
  const byConsumer = new Map<string, Set<string>>();
  for (const rule of facts.rules) {
    const to = rule.consumer.kind === 'service' ? serviceNodeId(rule.consumer.name) : sagaNodeId(rule.consumer.name);
    const types = byConsumer.get(to) ?? new Set<string>();
    for (const type of rule.eventTypes) types.add(type);
    byConsumer.set(to, types);
  }
  return [...byConsumer].map(([to, types]) => ({ kind: 'deliver', from: BUS_NODE_ID, to, labels: [...types] }));
}

/** Actions grouped by the service that performs them, each action once, in first-seen order. */
function groupActions(actions: readonly { readonly service?: string; readonly action?: string }[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const { service, action } of actions) {
    if (service === undefined) continue;
    const names = grouped.get(service) ?? [];
    if (action !== undefined && !names.includes(action)) names.push(action);
    grouped.set(service, names);
  }
  return grouped;
}
