/**
 * What a synthesized cloud assembly knows about a catalog that its specs do not: the stack each
 * service landed in, the EventBridge rules that deliver event types to each consumer, and each
 * saga's state machine with the service behind every task. Read with the CDK's own assembly reader
 * (`aws-cdk-lib/cx-api`): templates, and the construct path of every logical ID.
 */
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { SagaState } from './architecture-model';

/** A rule on the bus and whom it delivers to. */
export interface AssemblyRule {
  /** The `detail-type`s of its pattern. */
  readonly eventTypes: readonly string[];
  /** The service whose queue it fills, or the saga whose executions it starts. */
  readonly consumer: { readonly kind: 'service' | 'saga'; readonly name: string };
}

/** A saga's state machine as synthesized. */
export interface AssemblySaga {
  /** The event types of the rules that start it. */
  readonly startOn: readonly string[];
  readonly states: readonly SagaState[];
  readonly stack: string;
}

/** The facts {@link readAssemblyFacts} finds. */
export interface AssemblyFacts {
  readonly stackOfService: ReadonlyMap<string, string>;
  readonly rules: readonly AssemblyRule[];
  readonly sagas: ReadonlyMap<string, AssemblySaga>;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface Located {
  readonly stack: StackView;
  readonly logicalId: string;
}

interface StackView {
  readonly name: string;
  readonly resources: Readonly<Record<string, Resource>>;
  readonly outputs: Readonly<Record<string, { Value?: unknown; Export?: { Name?: unknown } }>>;
  /** Construct path segments of each logical ID, stack first. */
  readonly pathOf: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads the facts of the named services and sagas from the assembly in `dir`. A service's scope is
 * the shallowest construct whose id is the service's name (the platform makes everything that is a
 * service's own under it, e.g. `shop-dev-service-orders/orders`); of two equally shallow, the one
 * holding more resources. A saga's constructs are those under a construct named after it.
 *
 * @throws Error when `dir` is not a cloud assembly, or when it holds no constructs for a named service or saga
 */
export function readAssemblyFacts(dir: string, names: { readonly services: readonly string[]; readonly sagas: readonly string[] }): AssemblyFacts {
  let assembly: CloudAssembly;
  try {
    assembly = new CloudAssembly(dir);
  } catch (error) {
    throw new Error(`architecture: '${dir}' is not a readable cloud assembly (${(error as Error).message.split('\n')[0]}); synthesize the platform first`);
  }
  const stacks: StackView[] = assembly.stacksRecursively.map((artifact) => {
    const template = artifact.template as { Resources?: Record<string, Resource>; Outputs?: StackView['outputs'] };
    const pathOf = new Map<string, string[]>();
    for (const entry of artifact.findMetadataByType('aws:cdk:logicalId')) pathOf.set(String(entry.data), entry.path.split('/').filter((s) => s !== ''));
    return { name: artifact.stackName, resources: template.Resources ?? {}, outputs: template.Outputs ?? {}, pathOf };
  });

  const scopes = new Map(names.services.map((name) => [name, scopeOf(stacks, name, dir)]));
  const ownerService = (located: Located): string | undefined => {
    const segments = located.stack.pathOf.get(located.logicalId);
    if (!segments) return undefined;
    for (const [name, scope] of scopes) {
      if (scope.stack === located.stack && scope.segments.every((s, i) => segments[i] === s)) return name;
    }
    return undefined;
  };
  const sagaNames = new Set(names.sagas);
  const ownerSaga = (located: Located): string | undefined => [...(located.stack.pathOf.get(located.logicalId) ?? [])].reverse().find((s) => sagaNames.has(s));

  // Every state machine under a saga's construct, keyed by where it is.
  const machines = new Map<string, { saga: string; located: Located }>();
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const saga = ownerSaga({ stack, logicalId });
      if (saga !== undefined) machines.set(keyOf({ stack, logicalId }), { saga, located: { stack, logicalId } });
    }
  }

  const rules: AssemblyRule[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const eventTypes = resource.Type === 'AWS::Events::Rule' ? detailTypesOf(resource.Properties?.EventPattern) : undefined;
      if (!eventTypes) continue;
      const targets = Array.isArray(resource.Properties?.Targets) ? (resource.Properties.Targets as { Arn?: unknown }[]) : [];
      const machine = targets.map((t) => resolve(stacks, stack, t.Arn)).find((l) => l !== undefined && machines.has(keyOf(l)));
      const consumer = machine ? { kind: 'saga' as const, name: machines.get(keyOf(machine))!.saga } : serviceConsumer(ownerService({ stack, logicalId }));
      if (consumer) rules.push({ eventTypes, consumer });
    }
  }

  const sagas = new Map<string, AssemblySaga>();
  for (const { saga, located } of machines.values()) {
    const definition = definitionOf(located.stack.resources[located.logicalId].Properties?.DefinitionString);
    const states: SagaState[] = Object.entries(definition.States ?? {}).map(([name, state]) => {
      const token = definition.tokens.get(String(state.Resource ?? '')) ?? definition.tokens.get(String(state.Parameters?.FunctionName ?? ''));
      const target = token === undefined ? undefined : resolve(stacks, located.stack, token);
      const service = target ? ownerService(target) : undefined;
      const action = typeof state.Parameters?.action === 'string' ? state.Parameters.action : undefined;
      return { name, type: String(state.Type), ...(service !== undefined ? { service } : {}), ...(action !== undefined ? { action } : {}) };
    });
    const startOn = rules.filter((r) => r.consumer.kind === 'saga' && r.consumer.name === saga).flatMap((r) => r.eventTypes);
    sagas.set(saga, { startOn, states, stack: located.stack.name });
  }
  for (const name of names.sagas) {
    if (!sagas.has(name)) throw new Error(`architecture: the assembly at '${dir}' has no state machine for saga '${name}'; was it synthesized from these sagas?`);
  }
  return { stackOfService: new Map([...scopes].map(([name, scope]) => [name, scope.stack.name])), rules, sagas };
}

const serviceConsumer = (name: string | undefined) => (name === undefined ? undefined : { kind: 'service' as const, name });
const keyOf = (located: Located) => `${located.stack.name}\u0000${located.logicalId}`;

/** The shallowest construct named `name` (ties: the one over more resources). */
function scopeOf(stacks: readonly StackView[], name: string, dir: string): { stack: StackView; segments: readonly string[] } {
  let best: { stack: StackView; segments: readonly string[]; count: number } | undefined;
  for (const stack of stacks) {
    const counts = new Map<string, number>();
    for (const segments of stack.pathOf.values()) {
      const at = segments.indexOf(name, 1);
      if (at < 0) continue;
      const prefix = segments.slice(0, at + 1).join('/');
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
    for (const [prefix, count] of counts) {
      const segments = prefix.split('/');
      if (!best || segments.length < best.segments.length || (segments.length === best.segments.length && count > best.count)) best = { stack, segments, count };
    }
  }
  if (!best) throw new Error(`architecture: the assembly at '${dir}' has no constructs for service '${name}'; was it synthesized from this catalog?`);
  return best;
}

/** The `detail-type`s of an event pattern, when it names any. */
function detailTypesOf(pattern: unknown): string[] | undefined {
  const types = (pattern as Record<string, unknown> | undefined)?.['detail-type'];
  return Array.isArray(types) && types.length > 0 && types.every((t) => typeof t === 'string') ? types : undefined;
}

/** The resource a `Ref`, `Fn::GetAtt` or (across stacks) `Fn::ImportValue` of an export points at. */
function resolve(stacks: readonly StackView[], stack: StackView, value: unknown): Located | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const intrinsic = value as Record<string, unknown>;
  if (typeof intrinsic.Ref === 'string') return stack.resources[intrinsic.Ref] ? { stack, logicalId: intrinsic.Ref } : undefined;
  const getAtt = intrinsic['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return stack.resources[getAtt[0]] ? { stack, logicalId: getAtt[0] } : undefined;
  const exportName = intrinsic['Fn::ImportValue'];
  if (typeof exportName === 'string') {
    for (const exporter of stacks) {
      const output = Object.values(exporter.outputs).find((o) => o.Export?.Name === exportName);
      if (output) return resolve(stacks, exporter, output.Value);
    }
  }
  return undefined;
}

interface StateDefinition {
  readonly Type?: unknown;
  readonly Resource?: unknown;
  readonly Parameters?: Record<string, unknown>;
}

/** A state machine definition whose tokens (`Fn::Join` parts that are not text) are replaced by placeholders, and the tokens by placeholder. */
function definitionOf(definitionString: unknown): { States?: Record<string, StateDefinition>; tokens: ReadonlyMap<string, unknown> } {
  const tokens = new Map<string, unknown>();
  let text: string;
  if (typeof definitionString === 'string') {
    text = definitionString;
  } else {
    const join = (definitionString as Record<string, unknown> | undefined)?.['Fn::Join'];
    if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return { tokens };
    text = (join[1] as unknown[])
      .map((part) => {
        if (typeof part === 'string') return part;
        const placeholder = `\${Token[${tokens.size}]}`;
        tokens.set(placeholder, part);
        return placeholder;
      })
      .join('');
  }
  const parsed = JSON.parse(text) as { States?: Record<string, StateDefinition> };
  return { States: parsed.States, tokens };
}
