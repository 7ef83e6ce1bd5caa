import { ServiceCatalogError } from '../../../constructs/model/errors';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { validateCatalog } from '../../../constructs/model/validate-catalog';
import { catalog } from '../../../services';
import { HANDLER_ENTRY, fargateSpec, lambdaSpec } from './fixtures/specs';

function errorOf(specs: readonly ServiceSpec[]): ServiceCatalogError {
  try {
    validateCatalog(specs);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceCatalogError);
    return error as ServiceCatalogError;
  }
  throw new Error('validateCatalog accepted an invalid catalog');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('validateCatalog rejects a bad catalog, naming the service and the field', () => {
  const cases: Array<[string, ServiceSpec[], string, string, RegExp]> = [
    ['a name that is not DNS-safe', [lambdaSpec('Orders_Service')], 'Orders_Service', 'name', /not DNS-safe/],
    ['a name ending with a hyphen', [lambdaSpec('orders-')], 'orders-', 'name', /not ending with a hyphen/],
    ['the same name declared twice', [lambdaSpec('orders'), lambdaSpec('orders')], 'orders', 'name', /declared twice/],
    ['a route without a method', [lambdaSpec('orders', { routes: [{ route: '/orders' }] })], 'orders', 'routes[0].route', /METHOD \/path/],
    ['a route with an upper-case path segment', [lambdaSpec('orders', { routes: [{ route: 'GET /Orders' }] })], 'orders', 'routes[0].route', /path segment 'Orders'/],
    ['a route on the root path', [lambdaSpec('orders', { routes: [{ route: 'GET /' }] })], 'orders', 'routes[0].route', /root path/],
    ['a route with an unknown method', [lambdaSpec('orders', { routes: [{ route: 'GET /orders' }, { route: 'FETCH /orders' }] })], 'orders', 'routes[1].route', /method FETCH/],
    [
      'a route another service already serves',
      [lambdaSpec('orders', { routes: [{ route: 'GET /orders' }] }), lambdaSpec('billing', { routes: [{ route: 'GET /orders' }] })],
      'billing',
      'routes[0].route',
      /already served by service 'orders'/,
    ],
    [
      'a duplicate route whose parameter is named differently',
      [lambdaSpec('orders', { routes: [{ route: 'GET /orders/{id}' }] }), lambdaSpec('billing', { routes: [{ route: 'GET /orders/{orderId}' }] })],
      'billing',
      'routes[0].route',
      /already served by service 'orders'/,
    ],
    [
      'two parameter names at one path level',
      [lambdaSpec('orders', { routes: [{ route: 'GET /orders/{id}' }] }), lambdaSpec('billing', { routes: [{ route: 'PUT /orders/{orderId}' }] })],
      'billing',
      'routes[0].route',
      /one path level takes one parameter name/,
    ],
    ['a call to an unknown service', [lambdaSpec('orders', { calls: ['payments'] })], 'orders', 'calls[0]', /'payments' is not a service/],
    ['a service calling itself', [lambdaSpec('orders', { calls: ['orders'] })], 'orders', 'calls[0]', /cannot call itself/],
    [
      'a dependency cycle, shown with its path',
      [lambdaSpec('a1', { calls: ['b1'] }), lambdaSpec('b1', { calls: ['c1'] }), lambdaSpec('c1', { calls: ['a1'] })],
      'c1',
      'calls',
      /dependency cycle: a1 -> b1 -> c1 -> a1/,
    ],
    ['a lambda service without lambda settings', [{ name: 'orders', runtime: 'lambda' } as ServiceSpec], 'orders', 'lambda', /required for the lambda runtime/],
    ['a lambda entry that is not absolute', [lambdaSpec('orders', { lambda: { entry: 'handler.ts' } })], 'orders', 'lambda.entry', /absolute path/],
    ['a fargate service without a container', [{ name: 'carts', runtime: 'fargate' } as ServiceSpec], 'carts', 'container', /required for the fargate runtime/],
    ['a fargate memory that does not fit the cpu', [fargateSpec('carts', { cpu: 256, memoryMiB: 4096 })], 'carts', 'container.memoryMiB', /does not fit 256 CPU units/],
    ['a cpu size Fargate does not offer', [fargateSpec('carts', { cpu: 300 })], 'carts', 'container.cpu', /not a Fargate CPU size/],
    ['a Dockerfile directory without a Dockerfile', [fargateSpec('carts', { dockerfileDirectory: __dirname })], 'carts', 'container.dockerfileDirectory', /has no Dockerfile/],
    ['a build context that does not contain the Dockerfile', [fargateSpec('carts', { buildContext: __dirname })], 'carts', 'container.buildContext', /must be an absolute path that contains the Dockerfile directory/],
    ['a port the collector beside it takes', [fargateSpec('carts', { port: 4318 })], 'carts', 'container.port', /taken by the OpenTelemetry collector/],
    ['a stop timeout that does not cover the drain', [fargateSpec('carts', { preStopSeconds: 0, drainSeconds: 30, stopTimeoutSeconds: 30 })], 'carts', 'container.stopTimeoutSeconds', /30 s does not cover the drain: .* at least 32 s/],
    ['a stop timeout that covers the drain but not the pre-stop interval before it', [fargateSpec('carts', { preStopSeconds: 10, drainSeconds: 30, stopTimeoutSeconds: 35 })], 'carts', 'container.stopTimeoutSeconds', /may answer for 40 s \(the pre-stop interval \(10 s\) and the drain \(30 s\)\), so the stop timeout must be at least 42 s/],
    ['a deregistration delay shorter than the drain', [fargateSpec('carts', { preStopSeconds: 0, drainSeconds: 20, deregistrationDelaySeconds: 5 })], 'carts', 'container.deregistrationDelaySeconds', /5 s is shorter than the pre-stop interval \(0 s\) and the drain \(20 s\), 20 s/],
    ['a deregistration delay that ends before the pre-stop interval and the drain do', [fargateSpec('carts', { preStopSeconds: 5, drainSeconds: 10, deregistrationDelaySeconds: 12 })], 'carts', 'container.deregistrationDelaySeconds', /12 s is shorter than the pre-stop interval \(5 s\) and the drain \(10 s\), 15 s/],
    ['a pre-stop interval out of range', [fargateSpec('carts', { preStopSeconds: -1 })], 'carts', 'container.preStopSeconds', /from 0 to 120/],
    ['a kubernetes service whose budget does not nest', [{ ...fargateSpec('pricing', { preStopSeconds: 30, drainSeconds: 30, stopTimeoutSeconds: 40, cpu: 250, memoryMiB: 256 }), runtime: 'kubernetes' } as ServiceSpec], 'pricing', 'container.stopTimeoutSeconds', /at least 62 s/],
    ['a deregistration delay past the stop timeout', [fargateSpec('carts', { drainSeconds: 10, stopTimeoutSeconds: 15, deregistrationDelaySeconds: 60 })], 'carts', 'container.deregistrationDelaySeconds', /60 s is longer than the stop timeout \(15 s\)/],
    ['a drain time out of range', [fargateSpec('carts', { drainSeconds: 0 })], 'carts', 'container.drainSeconds', /from 1 to 120/],
    ['a CPU target out of range', [{ ...fargateSpec('carts'), scaling: { min: 1, max: 2, cpuTargetPercent: 95 } }], 'carts', 'scaling.cpuTargetPercent', /from 10 to 90/],
    ['container scaling targets on a lambda service', [lambdaSpec('orders', { scaling: { min: 0, max: 5, requestsPerTargetPerMinute: 100 } })], 'orders', 'scaling', /scales by concurrency/],
    ['scaling min above max', [fargateSpec('carts'), { ...fargateSpec('stock'), scaling: { min: 5, max: 2 } }], 'stock', 'scaling', /min \(5\) is above max \(2\)/],
    ['a lambda service whose scaling min is not 0', [lambdaSpec('orders', { scaling: { min: 1, max: 10 } })], 'orders', 'scaling.min', /scales from zero/],
    ['a consumed event nobody publishes', [lambdaSpec('orders', { events: { publishes: ['OrderPlaced'], consumes: ['PaymentTaken'] } })], 'orders', 'events.consumes[0]', /no service in the catalog publishes 'PaymentTaken'/],
    ['a config key with a slash', [lambdaSpec('orders', { config: { 'bad/key': 'x' } })], 'orders', 'config.bad/key', /key must be/],
    ['an empty config value', [lambdaSpec('orders', { config: { currency: '' } })], 'orders', 'config.currency', /non-empty string/],
    [
      'a routed lambda timeout above 29 seconds',
      [lambdaSpec('orders', { routes: [{ route: 'GET /orders' }], lambda: { entry: HANDLER_ENTRY, timeoutSeconds: 30 } })],
      'orders',
      'lambda.timeoutSeconds',
      /from 1 to 29/,
    ],
    ['a body schema on a GET route', [lambdaSpec('orders', { routes: [{ route: 'GET /orders', requestBodySchema: { type: 'object' } }] })], 'orders', 'routes[0].requestBodySchema', /carries no body/],
    ['a sort key equal to the partition key', [lambdaSpec('orders', { table: { partitionKey: 'pk', sortKey: 'pk' } })], 'orders', 'table.sortKey', /differ/],
  ];

  // Cognito holds 50 scopes on an app client, two of them openid and email: each routed service needs its read and write scopes.
  const routed = (count: number, frontEnds?: string[]) =>
    Array.from({ length: count }, (_, i) => lambdaSpec(`svc-${i}`, { routes: [{ route: `GET /svc-${i}`, frontEnds }, { route: `POST /svc-${i}`, frontEnds }] }));
  cases.push(
    ['a front end given a 49th scope', routed(25), 'svc-24', 'routes[0].frontEnds', /gives the web front end the scope 'svc-24\.read', one more than the 48 its Cognito app client can hold beside openid and email/],
  );

  test.each(cases)('rejects %s', (_what, specs, service, field, detail) => {
    const error = errorOf(specs);
    expect(error.message).toMatch(new RegExp(`service '${escape(service)}', field '${escape(field)}'`));
    expect(error.problems).toContainEqual(expect.objectContaining({ service, field }));
    const problem = error.problems.find((p) => p.service === service && p.field === field)!;
    expect(problem.message).toMatch(detail);
  });

  test('rejects an empty catalog', () => {
    const error = errorOf([]);
    expect(error.message).toMatch(/service '\(catalog\)', field 'services': the catalog is empty/);
  });

  test('a routed lambda may not exceed 29 s but an unrouted one may run up to 900 s', () => {
    expect(() => validateCatalog([lambdaSpec('worker', { lambda: { entry: HANDLER_ENTRY, timeoutSeconds: 300 } })])).not.toThrow();
    expect(() => validateCatalog([lambdaSpec('worker', { lambda: { entry: HANDLER_ENTRY, timeoutSeconds: 901 } })])).toThrow(/field 'lambda.timeoutSeconds'.*from 1 to 900/);
  });

  test('a dependency cycle is reported once, not once per member', () => {
    const error = errorOf([lambdaSpec('a1', { calls: ['b1'] }), lambdaSpec('b1', { calls: ['a1'] })]);
    expect(error.problems.filter((p) => p.message.startsWith('dependency cycle'))).toHaveLength(1);
  });

  test('every problem in the catalog is reported in one error', () => {
    const error = errorOf([
      lambdaSpec('Bad_Name'),
      lambdaSpec('orders', { routes: [{ route: 'FETCH /orders' }], calls: ['ghost'], config: { 'a b': 'x' } }),
      { name: 'carts', runtime: 'fargate' } as ServiceSpec,
    ]);
    const fields = error.problems.map((p) => `${p.service}:${p.field}`);
    expect(fields).toEqual(expect.arrayContaining(['Bad_Name:name', 'orders:routes[0].route', 'orders:calls[0]', 'orders:config.a b', 'carts:container']));
    expect(error.message).toMatch(new RegExp(`^Invalid service catalog \\(${error.problems.length} problems\\)`));
    for (const field of fields) {
      const [service, f] = field.split(':');
      expect(error.message).toContain(`service '${service}', field '${f}'`);
    }
  });
});

describe('validateCatalog accepts a valid catalog', () => {
  test('the real service catalog passes unchanged', () => {
    expect(validateCatalog(catalog)).toBe(catalog);
  });

  test('services that publish and consume each other’s events, with acyclic calls, pass', () => {
    const specs = [
      lambdaSpec('orders', { events: { publishes: ['OrderPlaced'] }, calls: ['stock'], routes: [{ route: 'GET /orders/{id}' }] }),
      lambdaSpec('stock', { events: { consumes: ['OrderPlaced'] }, routes: [{ route: 'GET /orders/{id}/stock' }] }),
      fargateSpec('carts'),
    ];
    expect(validateCatalog(specs)).toBe(specs);
  });
});
