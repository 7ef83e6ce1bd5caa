/**
 * Renders an architecture model as SVG with Graphviz (`@hpcc-js/wasm-graphviz`: Graphviz compiled to
 * WebAssembly, which lays the graph out and writes the SVG; no native binary, works offline). This
 * module only writes the DOT description: services grouped and coloured by runtime, the edge, the
 * bus and the sagas, edges styled by kind, and a legend.
 */
import type { ArchitectureEdgeKind, ArchitectureModel, ArchitectureNode } from './architecture-model';
import { EDGE_KINDS } from './architecture-model';

/** How each edge kind is drawn and named in the legend. */
const EDGE_STYLES: Readonly<Record<ArchitectureEdgeKind, { readonly legend: string; readonly attributes: string }>> = {
  route: { legend: 'routes from the edge', attributes: 'color="#7f7f7f", style=solid, arrowhead=normal' },
  call: { legend: 'calls (through discovery)', attributes: 'color="#1f4e79", fontcolor="#1f4e79", style=solid, penwidth=1.6, arrowhead=normal' },
  publish: { legend: 'publishes events', attributes: 'color="#b35900", fontcolor="#b35900", style=dashed, arrowhead=normal' },
  deliver: { legend: 'delivers events (rule, queue)', attributes: 'color="#b35900", fontcolor="#b35900", style=dashed, arrowhead=vee' },
  invoke: { legend: 'saga invokes actions', attributes: 'color="#6a3d9a", fontcolor="#6a3d9a", style=dotted, penwidth=1.8, arrowhead=normal' },
};

/** Fill and frame colours of the built-in runtimes; others take the next of {@link EXTRA_RUNTIME_COLOURS}. */
const RUNTIME_COLOURS: ReadonlyMap<string, readonly [fill: string, frame: string]> = new Map([
  ['lambda', ['#fde9d9', '#e46c0a']],
  ['fargate', ['#dbe9f6', '#2e75b6']],
  ['kubernetes', ['#dff2e6', '#2f8f4e']],
]);
const EXTRA_RUNTIME_COLOURS: readonly (readonly [string, string])[] = [
  ['#f2e5f7', '#7b3294'],
  ['#fff5cc', '#b8860b'],
  ['#e5f5f9', '#1b7f8e'],
  ['#f7e1e1', '#a12a2a'],
  ['#ececec', '#595959'],
];
/** Routes listed in a service's box before the rest are counted. */
const ROUTES_SHOWN = 6;

/**
 * The model as one SVG document (UTF-8 text), laid out left to right: the edge, the services in one
 * box per runtime, the bus and the sagas; every label is escaped, so no name, route or description
 * can add markup.
 *
 * @throws Error when an edge names a node the model does not hold
 */
export async function renderArchitectureSvg(model: ArchitectureModel): Promise<string> {
  const graphviz = await loadGraphviz();
  return graphviz.dot(architectureDot(model));
}

let graphvizLoading: Promise<{ dot(source: string): string }> | undefined;

/** Graphviz, compiled once per process (about half a second) and kept: the instance holds no state between layouts. */
function loadGraphviz(): Promise<{ dot(source: string): string }> {
  graphvizLoading ??= import('@hpcc-js/wasm-graphviz').then(({ Graphviz }) => Graphviz.load());
  return graphvizLoading;
}

/** The model in Graphviz's DOT language (exported for the tests and for anyone who wants another output format). */
export function architectureDot(model: ArchitectureModel): string {
  const dotIds = new Map<string, string>();
  model.nodes.forEach((node, index) => {
    if (dotIds.has(node.id)) throw new Error(`architecture: the model holds the node id '${node.id}' twice`);
    dotIds.set(node.id, `n${index}`);
  });
  const dotIdOf = (id: string, role: string) => {
    const dotId = dotIds.get(id);
    if (dotId === undefined) throw new Error(`architecture: an edge's ${role} is '${id}', which is no node of the model`);
    return dotId;
  };
  const runtimes = [...new Set(model.nodes.flatMap((n) => (n.kind === 'service' ? [n.runtime] : [])))];
  const colourOf = coloursByRuntime(runtimes);
  const services = model.nodes.filter((n) => n.kind === 'service');
  const sagas = model.nodes.filter((n) => n.kind === 'saga');

  const lines: string[] = [
    'digraph architecture {',
    `  graph [rankdir=LR, newrank=true, nodesep=0.25, ranksep=1.1, fontname="Helvetica", fontsize=14, labelloc=t, label=${quote(titleOf(model, runtimes))}];`,
    '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", penwidth=1.2];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  runtimes.forEach((runtime, index) => {
    const [fill, frame] = colourOf(runtime);
    lines.push(`  subgraph cluster_runtime_${index} {`, `    label=${quote(`runtime: ${runtime}`)}; style="rounded,dashed"; color="${frame}"; fontcolor="${frame}";`);
    for (const node of services.filter((n) => n.runtime === runtime)) lines.push(`    ${dotIds.get(node.id)} [${nodeAttributes(node, fill, frame)}];`);
    lines.push('  }');
  });
  for (const node of model.nodes) {
    if (node.kind !== 'service') lines.push(`  ${dotIds.get(node.id)} [${nodeAttributes(node, '', '')}];`);
  }
  if (sagas.length > 0) lines.push(`  { rank=same; ${sagas.map((n) => dotIds.get(n.id)).join('; ')}; }`);
  for (const edge of model.edges) {
    const label = edge.labels.length > 0 && edge.kind !== 'route' ? `, label=${quote(edge.labels.join('\n'))}` : '';
    lines.push(`  ${dotIdOf(edge.from, 'source')} -> ${dotIdOf(edge.to, 'target')} [${EDGE_STYLES[edge.kind].attributes}${label}, tooltip=${quote(`${edge.kind}: ${edge.from} -> ${edge.to}`)}];`);
  }
  lines.push(...legendLines(runtimes, colourOf), '}');
  return `${lines.join('\n')}\n`;
}

function titleOf(model: ArchitectureModel, runtimes: readonly string[]): string {
  const services = model.nodes.filter((n) => n.kind === 'service');
  const perRuntime = runtimes.map((r) => `${r} ${services.filter((n) => n.kind === 'service' && n.runtime === r).length}`).join(', ');
  const sagas = model.nodes.filter((n) => n.kind === 'saga').length;
  return `${services.length} services (${perRuntime}), ${sagas} saga${sagas === 1 ? '' : 's'}; from the ${model.source === 'specs' ? 'specs' : 'specs and the synthesized assembly'}`;
}

function nodeAttributes(node: ArchitectureNode, fill: string, frame: string): string {
  switch (node.kind) {
    case 'service': {
      const routes = node.routes.length > ROUTES_SHOWN ? [...node.routes.slice(0, ROUTES_SHOWN), `+${node.routes.length - ROUTES_SHOWN} more routes`] : node.routes;
      const lines = [node.name, ...routes, ...(node.stack !== undefined ? [`stack ${node.stack}`] : [])];
      return `label=${quote(lines.join('\n'))}, fillcolor="${fill}", color="${frame}", tooltip=${quote(node.description ?? node.name)}`;
    }
    case 'edge':
      return `label=${quote('edge\nAPI Gateway')}, shape=cds, fillcolor="#eeeeee", color="#7f7f7f", tooltip=${quote('The edge: API Gateway with the Cognito authorizer')}`;
    case 'bus':
      return `label=${quote('event bus\nEventBridge')}, shape=cylinder, fillcolor="#fff2e0", color="#b35900", tooltip=${quote('The event bus: a rule and a queue per consumer')}`;
    case 'saga': {
      const tasks = (node.states ?? []).filter((s) => s.service !== undefined).map((s) => `${s.name}: ${s.service}.${s.action ?? '?'}`);
      const lines = [`saga ${node.name}`, `starts on ${node.startOn.join(', ')}`, ...tasks, ...(node.stack !== undefined ? [`stack ${node.stack}`] : [])];
      return `label=${quote(lines.join('\n'))}, shape=box, style="filled", fillcolor="#efe6f5", color="#6a3d9a", tooltip=${quote(`saga ${node.name} (Step Functions)`)}`;
    }
  }
}

function legendLines(runtimes: readonly string[], colourOf: (runtime: string) => readonly [string, string]): string[] {
  const lines = ['  subgraph cluster_legend {', '    label="legend"; style="rounded"; color="#bfbfbf"; fontsize=11;', '    node [fontsize=9];'];
  runtimes.forEach((runtime, index) => {
    const [fill, frame] = colourOf(runtime);
    lines.push(`    legend_runtime_${index} [label=${quote(`${runtime} service`)}, fillcolor="${fill}", color="${frame}"];`);
  });
  for (const kind of EDGE_KINDS) {
    lines.push(
      `    legend_${kind}_from [label="", shape=point, width=0.05];`,
      `    legend_${kind}_to [label=${quote(EDGE_STYLES[kind].legend)}, shape=plaintext, style="", fontsize=9];`,
      `    legend_${kind}_from -> legend_${kind}_to [${EDGE_STYLES[kind].attributes}];`,
    );
  }
  // Two columns: the runtime samples and the edges' tails, then the edges' heads with their meaning.
  const column = (ids: readonly string[]) => `    { rank=same; ${ids.join('; ')}; }`;
  lines.push(column([...runtimes.map((_, index) => `legend_runtime_${index}`), ...EDGE_KINDS.map((kind) => `legend_${kind}_from`)]), column(EDGE_KINDS.map((kind) => `legend_${kind}_to`)), '  }');
  return lines;
}

function coloursByRuntime(runtimes: readonly string[]): (runtime: string) => readonly [string, string] {
  const extra = runtimes.filter((r) => !RUNTIME_COLOURS.has(r));
  return (runtime) => RUNTIME_COLOURS.get(runtime) ?? EXTRA_RUNTIME_COLOURS[extra.indexOf(runtime) % EXTRA_RUNTIME_COLOURS.length];
}

/**
 * A DOT quoted string whose text Graphviz prints literally: backslashes and quotes escaped, line
 * breaks as `\n`, and `&` written as `&amp;` (Graphviz passes entity references through to the SVG
 * unescaped, so a bare `&lt;` in a name would otherwise come out as markup-looking text).
 */
function quote(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/&/g, '&amp;').replace(/\r\n|\r|\n/g, '\\n');
  return `"${escaped}"`;
}
