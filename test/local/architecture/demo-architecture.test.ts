import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ArchitectureModel, type SagaNode, type ServiceNode, architectureOf, BUS_NODE_ID, EDGE_NODE_ID, sagaNodeId, serviceNodeId } from '../../../local/architecture';
import { catalog, sagas } from '../../../services';
import { COMMITTED_DIAGRAM, DIAGRAM_PROFILE, demoArchitectureSvg } from '../../../stacks/architecture-diagram';
import { createPlatformApp } from '../../../stacks/create-app';

// The demo's architecture, from its specs and from the assembly synthesized from them: the facts
// below are the demo's as its README tells them, stated here rather than recomputed from the specs.
let assemblyDir: string;
const models = new Map<string, ArchitectureModel>();

beforeAll(() => {
  assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-architecture-'));
  createPlatformApp({ profile: DIAGRAM_PROFILE, outdir: assemblyDir, gates: false, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
  models.set('specs', architectureOf({ services: catalog, sagas }));
  models.set('specs+assembly', architectureOf({ services: catalog, sagas, assemblyDir }));
}, 240_000);
afterAll(() => fs.rmSync(assemblyDir, { recursive: true, force: true }));

const edgesOf = (model: ArchitectureModel, kind: string) => model.edges.filter((e) => e.kind === kind);
const pairs = (model: ArchitectureModel, kind: string) => edgesOf(model, kind).map((e) => `${e.from} -> ${e.to}`).sort();

describe.each(['specs', 'specs+assembly'])('the demo architecture, from the %s', (source) => {
  const model = () => models.get(source)!;

  test('says where its facts come from', () => {
    expect(model().source).toBe(source);
  });

  test('holds every service of the catalog with its runtime, and nothing else but the edge, the bus and the saga', () => {
    const services = model().nodes.filter((n): n is ServiceNode => n.kind === 'service');
    expect(Object.fromEntries(services.map((n) => [n.name, n.runtime]))).toEqual({
      orders: 'lambda',
      inventory: 'lambda',
      payments: 'lambda',
      catalog: 'fargate',
      pricing: 'kubernetes',
      'bff-web': 'lambda',
      'bff-mobile': 'lambda',
    });
    expect(model().nodes.filter((n) => n.kind !== 'service').map((n) => n.id)).toEqual([EDGE_NODE_ID, BUS_NODE_ID, sagaNodeId('place-order')]);
  });

  test('routes every routed service from the edge, and payments (saga-only) not', () => {
    expect(pairs(model(), 'route')).toEqual(['bff-mobile', 'bff-web', 'catalog', 'inventory', 'orders', 'pricing'].map((s) => `${EDGE_NODE_ID} -> ${serviceNodeId(s)}`));
    const orders = model().nodes.find((n) => n.id === serviceNodeId('orders')) as ServiceNode;
    expect(orders.routes).toEqual(['POST /orders', 'GET /orders/{id}', 'GET /customers/{customerId}/orders']);
  });

  test('has exactly the calls the BFFs declare', () => {
    expect(pairs(model(), 'call')).toEqual(
      [
        ['bff-mobile', 'catalog'],
        ['bff-mobile', 'orders'],
        ['bff-web', 'catalog'],
        ['bff-web', 'orders'],
      ].map(([from, to]) => `${serviceNodeId(from)} -> ${serviceNodeId(to)}`),
    );
  });

  test('has orders as the only publisher, of its three order events', () => {
    const published = edgesOf(model(), 'publish');
    expect(published.map((e) => [e.from, e.to])).toEqual([[serviceNodeId('orders'), BUS_NODE_ID]]);
    expect([...published[0].labels].sort()).toEqual(['OrderConfirmed', 'OrderPlaced', 'OrderRejected']);
  });

  test('delivers OrderConfirmed to inventory and OrderPlaced to the saga, and nothing to a service that consumes nothing (orders)', () => {
    const delivered = Object.fromEntries(edgesOf(model(), 'deliver').map((e) => [e.to, [...e.labels]]));
    expect(delivered).toEqual({ [serviceNodeId('inventory')]: ['OrderConfirmed'], [sagaNodeId('place-order')]: ['OrderPlaced'] });
    expect(edgesOf(model(), 'deliver').every((e) => e.from === BUS_NODE_ID)).toBe(true);
  });

  test('has the saga invoke inventory, payments and orders with their forward and compensating actions', () => {
    const invoked = Object.fromEntries(edgesOf(model(), 'invoke').map((e) => [e.to, [...e.labels].sort()]));
    expect(invoked).toEqual({
      [serviceNodeId('inventory')]: ['releaseStock', 'reserveStock'],
      [serviceNodeId('payments')]: ['chargePayment', 'refundPayment'],
      [serviceNodeId('orders')]: ['confirmOrder', 'rejectOrder'],
    });
    expect((model().nodes.find((n) => n.kind === 'saga') as SagaNode).startOn).toEqual(['OrderPlaced']);
  });

  test('has no edge to or from a node it does not hold, and survives a JSON round trip', () => {
    const ids = new Set(model().nodes.map((n) => n.id));
    for (const edge of model().edges) expect([ids.has(edge.from), ids.has(edge.to)]).toEqual([true, true]);
    expect(JSON.parse(JSON.stringify(model()))).toEqual(model());
  });
});

describe('what only the assembly knows', () => {
  const model = () => models.get('specs+assembly')!;

  test('puts each service in the stack of its own that the platform split it into', () => {
    for (const node of model().nodes.filter((n): n is ServiceNode => n.kind === 'service')) expect(node.stack).toBe(`shop-${DIAGRAM_PROFILE.name}-service-${node.name}`);
    expect(models.get('specs')!.nodes.some((n) => 'stack' in n)).toBe(false);
  });

  test("reads the saga's states from its state machine, each task with the service its function belongs to", () => {
    const saga = model().nodes.find((n): n is SagaNode => n.kind === 'saga')!;
    expect(saga.stack).toBe(`shop-${DIAGRAM_PROFILE.name}-sagas`);
    const tasks = Object.fromEntries(saga.states!.filter((s) => s.type === 'Task').map((s) => [s.name, `${s.service}.${s.action}`]));
    expect(tasks).toEqual({
      ReserveInventory: 'inventory.reserveStock',
      ChargePayment: 'payments.chargePayment',
      Complete: 'orders.confirmOrder',
      CompensateChargePayment: 'payments.refundPayment',
      CompensateReserveInventory: 'inventory.releaseStock',
      Reject: 'orders.rejectOrder',
    });
    expect(saga.states!.filter((s) => s.type !== 'Task').map((s) => `${s.name}:${s.type}`).sort()).toEqual(['CompensationFailed:Fail', 'Completed:Succeed', 'Rejected:Succeed']);
  });

  test('refuses an assembly that was not synthesized from the catalog, naming the service it lacks', () => {
    const ghost = { ...catalog.find((s) => s.name === 'payments')!, name: 'ghost' };
    expect(() => architectureOf({ services: [...catalog, ghost], sagas, assemblyDir })).toThrow(/no constructs for service 'ghost'/);
  });

  test('refuses a directory that holds no assembly', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-assembly-'));
    try {
      expect(() => architectureOf({ services: catalog, sagas, assemblyDir: empty })).toThrow(/is not a readable cloud assembly/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

test('the diagram the README shows (docs/architecture.svg) is the one the demo draws now', async () => {
  const fresh = await demoArchitectureSvg(assemblyDir);
  const committed = fs.readFileSync(COMMITTED_DIAGRAM, 'utf8');
  if (committed !== fresh) throw new Error('docs/architecture.svg is stale: the demo draws another diagram now. Run `npm run diagram` and commit docs/architecture.svg.');
  expect(committed).toBe(fresh);
}, 60_000);
