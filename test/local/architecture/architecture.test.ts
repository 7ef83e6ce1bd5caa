import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import * as fc from 'fast-check';
import type { SagaSpec, ServiceSpec } from 'msa-platform-blueprint';
import { PlatformSpecError } from 'msa-platform-blueprint';
import { type ArchitectureModel, architectureOf, renderArchitectureSvg, serviceNodeId } from '../../../local/architecture';
import { generateCatalog } from '../../support/generated-catalog';

/** The SVG parsed by a real XML parser that fails on any warning or error, so malformed markup cannot pass. */
function parseSvg(svg: string): Document {
  const document = new DOMParser({
    onError: (level, message) => {
      throw new Error(`the SVG is not well-formed XML (${level}): ${message}`);
    },
  }).parseFromString(svg, 'image/svg+xml');
  expect(document.documentElement?.nodeName).toBe('svg');
  return document;
}

const elements = (document: Document, name: string): Element[] => Array.from(document.getElementsByTagName(name));
const texts = (document: Document) => elements(document, 'text').map((e) => e.textContent ?? '');
/** The `<title>` of each `<g class="...">`: Graphviz names nodes and edges (`a->b`) there. */
const titlesOf = (document: Document, className: string) =>
  elements(document, 'g')
    .filter((g) => g.getAttribute('class') === className)
    .map((g) => elements(g as unknown as Document, 'title')[0]?.textContent ?? '');

/**
 * A valid catalog of `count` services with calls and events drawn by fast-check: generated specs
 * (mixed runtimes, every fifth with routes), each calling up to two earlier non-kubernetes services
 * (so no cycle), publishing some of a pool of event types and consuming some of those published.
 */
const randomCatalog = (count: number) =>
  fc
    .tuple(
      fc.array(fc.array(fc.nat(), { maxLength: 2 }), { minLength: count, maxLength: count }),
      fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 3 }), { minLength: count, maxLength: count }),
      fc.array(fc.array(fc.nat(), { maxLength: 2 }), { minLength: count, maxLength: count }),
    )
    .map(([calls, publishes, consumes]): ServiceSpec[] => {
      const base = generateCatalog(count, { events: false });
      const eventName = (i: number) => `Thing${i}Happened`;
      const published = [...new Set(publishes.flat())].map(eventName);
      return base.map((spec, index) => {
        const callable = base.slice(0, index).filter((s) => s.runtime !== 'kubernetes').map((s) => s.name);
        const callees = callable.length === 0 ? [] : [...new Set(calls[index].map((n) => callable[n % callable.length]))];
        const consumed = published.length === 0 ? [] : [...new Set(consumes[index].map((n) => published[n % published.length]))];
        return { ...spec, calls: callees, events: { publishes: publishes[index].map(eventName), consumes: consumed } } as ServiceSpec;
      });
    });

describe('renderArchitectureSvg', () => {
  test('draws a generated catalog of 150 services as well-formed SVG holding every service name as text and no edge to an unknown node', async () => {
    await fc.assert(
      fc.asyncProperty(randomCatalog(150), async (services) => {
        const model = architectureOf({ services });
        const ids = new Set(model.nodes.map((n) => n.id));
        expect(model.edges.filter((e) => !ids.has(e.from) || !ids.has(e.to))).toEqual([]);
        // Every declared call and consumed event is an edge of the model.
        for (const spec of services) {
          for (const callee of spec.calls ?? []) expect(model.edges.some((e) => e.kind === 'call' && e.from === serviceNodeId(spec.name) && e.to === serviceNodeId(callee))).toBe(true);
          const delivered = model.edges.find((e) => e.kind === 'deliver' && e.to === serviceNodeId(spec.name))?.labels ?? [];
          expect([...delivered].sort()).toEqual([...(spec.events?.consumes ?? [])].sort());
        }

        const document = parseSvg(await renderArchitectureSvg(model));
        const shown = new Set(texts(document));
        expect(services.map((s) => s.name).filter((name) => !shown.has(name))).toEqual([]);
        const nodes = new Set(titlesOf(document, 'node'));
        const edges = titlesOf(document, 'edge').map((title) => title.split('->'));
        expect(edges.filter(([from, to]) => !nodes.has(from) || !nodes.has(to))).toEqual([]);
        // The model's edges, and one sample per edge kind in the legend.
        expect(edges).toHaveLength(model.edges.length + 5);
      }),
      { numRuns: 3 },
    );
  }, 120_000);

  test('escapes hostile names, routes, runtimes and descriptions: they come out as text, never as markup', async () => {
    const name = `<script>alert("x")</script> & 'q' &lt;b&gt; -- ]]>`;
    const route = `GET /"><img src=x onerror=alert(1)>\\N`;
    const runtime = `</text><script>boom()</script>`;
    const description = `Tip with <b>bold</b>, "quotes" & an &amp; entity`;
    const model: ArchitectureModel = {
      source: 'specs',
      nodes: [
        { kind: 'service', id: 'service:hostile', name, runtime, routes: [route], description },
        { kind: 'service', id: 'service:plain', name: 'plain', runtime: 'lambda', routes: [] },
        { kind: 'edge', id: 'edge' },
      ],
      edges: [
        { kind: 'route', from: 'edge', to: 'service:hostile', labels: [route] },
        { kind: 'call', from: 'service:plain', to: 'service:hostile', labels: [] },
      ],
    };
    const document = parseSvg(await renderArchitectureSvg(model));
    expect(elements(document, 'script')).toEqual([]);
    expect(elements(document, 'img')).toEqual([]);
    expect(elements(document, 'b')).toEqual([]);
    const shown = texts(document);
    expect(shown).toContain(name);
    expect(shown).toContain(route);
    expect(shown).toContain(`runtime: ${runtime}`);
    expect(elements(document, 'a').map((a) => a.getAttribute('xlink:title'))).toContain(description);
  });

  test('escapes a hostile description that passed the catalog checks', async () => {
    const [spec] = generateCatalog(1, { events: false });
    const description = `"><script>alert(1)</script>`;
    const document = parseSvg(await renderArchitectureSvg(architectureOf({ services: [{ ...spec, description }] })));
    expect(elements(document, 'script')).toEqual([]);
    expect(elements(document, 'a').map((a) => a.getAttribute('xlink:title'))).toContain(description);
  });

  test('refuses a model with an edge to a node it does not hold, naming the node', async () => {
    const model: ArchitectureModel = { source: 'specs', nodes: [{ kind: 'bus', id: 'bus' }], edges: [{ kind: 'publish', from: 'service:ghost', to: 'bus', labels: ['X'] }] };
    await expect(renderArchitectureSvg(model)).rejects.toThrow("an edge's source is 'service:ghost', which is no node of the model");
  });
});

describe('architectureOf', () => {
  test('draws a catalog without events, routes or sagas as its services alone: no edge, no bus', async () => {
    const services = generateCatalog(3, { events: false, routes: false });
    const model = architectureOf({ services });
    expect(model.nodes.map((n) => n.kind)).toEqual(['service', 'service', 'service']);
    expect(model.edges).toEqual([]);
    expect(texts(parseSvg(await renderArchitectureSvg(model)))).toEqual(expect.arrayContaining(services.map((s) => s.name)));
  });

  test('refuses a call to an unknown service and a duplicate name with the catalog check, naming each service and field', () => {
    const [first, second] = generateCatalog(2, { events: false });
    let error: unknown;
    try {
      architectureOf({ services: [{ ...first, calls: ['nowhere'] }, { ...second, name: first.name }] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PlatformSpecError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`service '${first.name}', field 'calls\\[0\\]': 'nowhere' is not a service`));
    expect(message).toMatch(new RegExp(`service '${first.name}', field 'name': is declared twice`));
  });

  test('refuses a saga that invokes a service the catalog does not hold, naming the saga and field', () => {
    const services = generateCatalog(2, { events: true });
    const saga: SagaSpec = {
      name: 'ship',
      startOn: 'Svc001Changed',
      steps: [{ name: 'Pack', invoke: { service: 'ghost', action: 'pack' }, compensate: { service: 'ghost', action: 'unpack' } }],
      complete: { service: 'ghost', action: 'done' },
      reject: { service: 'ghost', action: 'fail' },
    };
    expect(() => architectureOf({ services, sagas: [saga] })).toThrow(/saga 'ship', field 'steps\[0\]\.invoke\.service'.*ghost/);
  });
});
