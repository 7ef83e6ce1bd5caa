import { ServiceCatalogError } from '../../../constructs/model/errors';
import { callBudgetMs, configEntriesOf, integrationTimeoutMsOf, serviceConnectTimeoutMsOf } from '../../../constructs/model/resilience-policy';
import type { EntrySpec, ServiceSpec } from '../../../constructs/model/service-spec';
import { validateCatalog } from '../../../constructs/model/validate-catalog';
import { catalog } from '../../../services';
import { HANDLER_ENTRY, lambdaSpec } from './fixtures/specs';

const entry = (extra: Partial<EntrySpec> = {}): EntrySpec => ({
  frontEnd: 'web',
  basePath: '/web',
  rateLimit: 10,
  burstLimit: 20,
  quota: { limit: 1000, period: 'DAY' },
  maxBodyBytes: 1024,
  clientTimeoutMs: 15_000,
  ...extra,
});
const downstream = [lambdaSpec('orders'), lambdaSpec('catalog')];
const bff = (extra: Record<string, unknown> = {}): ServiceSpec =>
  lambdaSpec('bff-web', {
    routes: [{ route: 'GET /web/orders/{id}', frontEnds: ['web'] }],
    calls: ['orders', 'catalog'],
    resilience: { orders: { timeoutMs: 1000 }, catalog: { timeoutMs: 1000 } },
    entry: entry(),
    ...extra,
  });

function problemsOf(specs: readonly ServiceSpec[]) {
  try {
    validateCatalog(specs);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceCatalogError);
    return (error as ServiceCatalogError).problems;
  }
  throw new Error('validateCatalog accepted an invalid catalog');
}

describe('resilience policies', () => {
  test('a call budget is every attempt at its timeout plus every backoff at its cap', () => {
    expect(callBudgetMs({ timeoutMs: 1000 })).toBe(1000);
    expect(callBudgetMs({ timeoutMs: 1000, retries: 2, backoffMs: 100 })).toBe(3000 + 100 + 200);
  });

  test('the gateway waits for the budgets of all dependencies plus the handler overhead', () => {
    expect(integrationTimeoutMsOf(bff())).toBe(1000 + 1000 + 1000);
    expect(integrationTimeoutMsOf(lambdaSpec('orders'))).toBeUndefined();
  });

  test('the policies are written to the caller\'s config path with their defaults', () => {
    expect(configEntriesOf({ config: { a: '1' }, resilience: { orders: { timeoutMs: 900, retries: 1 } } })).toEqual({
      a: '1',
      'resilience.orders.timeoutMs': '900',
      'resilience.orders.retries': '1',
      'resilience.orders.backoffMs': '100',
      'resilience.orders.errorThresholdPercent': '50',
      'resilience.orders.volumeThreshold': '5',
      'resilience.orders.resetTimeoutMs': '10000',
      'resilience.orders.rollingWindowMs': '10000',
    });
  });

  test('Service Connect gets the longest attempt timeout its container callers declare, in whole seconds; Lambda callers do not count', () => {
    const container = (name: string, timeoutMs: number): ServiceSpec => ({ name, runtime: 'fargate', calls: ['catalog'], resilience: { catalog: { timeoutMs } } }) as unknown as ServiceSpec;
    expect(serviceConnectTimeoutMsOf('catalog', [container('a', 1500), container('b', 4200), lambdaSpec('c', { calls: ['catalog'], resilience: { catalog: { timeoutMs: 20_000 } } })])).toBe(5000);
    expect(serviceConnectTimeoutMsOf('catalog', [lambdaSpec('c', { calls: ['catalog'], resilience: { catalog: { timeoutMs: 20_000 } } })])).toBeUndefined();
  });
});

describe('validateCatalog checks policies, flags and entries, naming the service and the field', () => {
  const cases: Array<[string, ServiceSpec, string, RegExp]> = [
    ['a retry budget longer than the caller\'s own timeout',
      bff({ resilience: { orders: { timeoutMs: 3000, retries: 2, backoffMs: 500 }, catalog: { timeoutMs: 1000 } }, entry: entry({ clientTimeoutMs: 60_000 }) }),
      'resilience', /orders 10500 ms .* add up to 12500 ms, longer than the caller's own timeout \(lambda.timeoutSeconds, 10000 ms\)/],
    ['budgets longer than the gateway allows',
      bff({ lambda: { entry: HANDLER_ENTRY, timeoutSeconds: 29 }, resilience: { orders: { timeoutMs: 20_000 }, catalog: { timeoutMs: 9000 } }, entry: entry({ clientTimeoutMs: 60_000 }) }),
      'resilience', /longer than the 29000 ms an API Gateway integration may wait/],
    ['a policy for a service it does not call', bff({ resilience: { orders: { timeoutMs: 1000 }, catalog: { timeoutMs: 1000 }, payments: { timeoutMs: 1000 } } }), 'resilience.payments', /not in calls/],
    ['a timeout out of range', bff({ resilience: { orders: { timeoutMs: 10 }, catalog: { timeoutMs: 1000 } } }), 'resilience.orders.timeoutMs', /from 50 to 29000/],
    ['a policy without a timeout', bff({ resilience: { orders: { retries: 1 } as never, catalog: { timeoutMs: 1000 } } }), 'resilience.orders.timeoutMs', /is required/],
    ['an unknown policy field', bff({ resilience: { orders: { timeoutMs: 1000, retry: 1 } as never, catalog: { timeoutMs: 1000 } } }), 'resilience.orders.retry', /not a policy field/],
    ['an entry without a policy for a call', bff({ resilience: { orders: { timeoutMs: 1000 } } }), 'resilience.catalog', /entry service must declare a policy/],
    ['a config key in the resilience namespace', bff({ config: { 'resilience.orders.timeoutMs': '5' } }), 'config.resilience.orders.timeoutMs', /declare the policy under resilience/],
    ['a flag that is not a boolean', bff({ featureFlags: { productDetails: 'yes' as never } }), 'featureFlags.productDetails', /true or false/],
    ['a client timeout not longer than the integration timeout', bff({ entry: entry({ clientTimeoutMs: 3000 }) }), 'entry.clientTimeoutMs', /3000 ms is not longer than the gateway's integration timeout for the entry \(3000 ms/],
    ['a route outside the entry\'s base path', bff({ routes: [{ route: 'GET /orders-view/{id}', frontEnds: ['web'] }] }), 'routes[0].route', /outside the entry's base path \/web/],
    ['an entry route exposed to another front end', bff({ routes: [{ route: 'GET /web/orders/{id}' }] }), 'routes[0].frontEnds', /must be \['web'\]/],
    ['a body limit beyond what the firewall inspects', bff({ entry: entry({ maxBodyBytes: 10_000 }) }), 'entry.maxBodyBytes', /from 1 to 8192/],
    ['a quota period that does not exist', bff({ entry: entry({ quota: { limit: 1, period: 'YEAR' as never } }) }), 'entry.quota.period', /not one of DAY, WEEK, MONTH/],
    ['a base path of two segments', bff({ entry: entry({ basePath: '/web/v1' }) }), 'entry.basePath', /one path segment/],
  ];

  test.each(cases)('rejects %s', (_what, spec, field, detail) => {
    const problems = problemsOf([...downstream, spec]);
    expect(problems).toContainEqual(expect.objectContaining({ service: spec.name, field }));
    expect(problems.filter((p) => p.service === spec.name && p.field === field).map((p) => p.message)).toContainEqual(expect.stringMatching(detail));
  });

  test('one entry per front end and per base path, and no other service under an entry\'s base path', () => {
    const second = lambdaSpec('bff-web-2', { routes: [{ route: 'GET /web/carts/{id}', frontEnds: ['web'] }], entry: entry() });
    const intruder = lambdaSpec('reports', { routes: [{ route: 'GET /web/reports' }] });
    const problems = problemsOf([...downstream, bff(), second, intruder]);
    expect(problems).toContainEqual({ service: 'bff-web-2', field: 'entry.frontEnd', message: "'web' already has its entry in service 'bff-web'" });
    expect(problems).toContainEqual({ service: 'bff-web-2', field: 'entry.basePath', message: "/web is already the base path of service 'bff-web'" });
    expect(problems).toContainEqual({ service: 'reports', field: 'routes[0].route', message: "'GET /web/reports' is under /web, the base path of the entry 'bff-web'" });
  });

  test('the real catalog, with both BFFs, passes', () => {
    expect(validateCatalog(catalog)).toBe(catalog);
  });
});
