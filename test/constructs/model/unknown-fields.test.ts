/**
 * Plain JavaScript users get no compiler: a misspelt or misplaced field must be refused, naming
 * the field and the nearest known one, rather than silently ignored.
 */
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { didYouMean, editDistance, nearestOf } from '../../../constructs/model/spec-fields';
import { validateCatalog } from '../../../constructs/model/validate-catalog';
import { fargateSpec, kubernetesSpec, lambdaSpec, problemsOf } from './fixtures/specs';

const entry = { frontEnd: 'web', basePath: '/web', rateLimit: 10, burstLimit: 20, quota: { limit: 1000, period: 'DAY' }, maxBodyBytes: 1024, clientTimeoutMs: 15_000 };

describe('an unknown field is refused with the nearest known one', () => {
  test.each<[string, ServiceSpec, string, string]>([
    ['a top-level field', lambdaSpec('orders', { rutes: [{ route: 'GET /orders' }] }), 'rutes', "is not a known field; did you mean 'routes'?"],
    ['a field of lambda', lambdaSpec('orders', { lambda: { entry: lambdaSpec('x').lambda!.entry, timeoutSecond: 5 } }), 'lambda.timeoutSecond', "is not a known field; did you mean 'timeoutSeconds'?"],
    ['a field of container', fargateSpec('carts', { helthCheckPath: '/health' } as never), 'container.helthCheckPath', "is not a known field; did you mean 'healthCheckPath'?"],
    ['a field of table', lambdaSpec('orders', { table: { partitionKey: 'id', sortkey: 'at' } }), 'table.sortkey', "is not a known field; did you mean 'sortKey'?"],
    ['a field of scaling', lambdaSpec('orders', { scaling: { min: 0, max: 2, maximum: 3 } }), 'scaling.maximum', "is not a known field; did you mean 'max'?"],
    ['a field of monitoring', lambdaSpec('orders', { monitoring: { errorRate: 2 } }), 'monitoring.errorRate', "is not a known field; did you mean 'errorRatePercent'?"],
    ['a field of entry', lambdaSpec('bff', { routes: [{ route: 'GET /web/x', frontEnds: ['web'] }], entry: { ...entry, burst: 5 } }), 'entry.burst', "is not a known field; did you mean 'burstLimit'?"],
    ['a field of entry.quota', lambdaSpec('bff', { routes: [{ route: 'GET /web/x', frontEnds: ['web'] }], entry: { ...entry, quota: { limit: 1, period: 'DAY', periods: 2 } } }), 'entry.quota.periods', "is not a known field; did you mean 'period'?"],
    ['a field of events', lambdaSpec('orders', { events: { publish: ['OrderPlaced'] } }), 'events.publish', "is not a known field; did you mean 'publishes'?"],
    ['a field of a route', lambdaSpec('orders', { routes: [{ route: 'GET /orders' }, { route: 'POST /orders', frontEnd: ['web'] }] }), 'routes[1].frontEnd', "is not a known field; did you mean 'frontEnds'?"],
    ['a field of eventSourcing', lambdaSpec('orders', { eventSourcing: { readModel: { partitionKey: 'id' }, batchSize: 5 } }), 'eventSourcing.batchSize', "is not a known field; did you mean 'projectionBatchSize'?"],
    ['a field of the read model', lambdaSpec('orders', { eventSourcing: { readModel: { partitionKey: 'id', index: [] } } }), 'eventSourcing.readModel.index', "is not a known field; did you mean 'indexes'?"],
    ['a field of a read-model index', lambdaSpec('orders', { eventSourcing: { readModel: { partitionKey: 'id', indexes: [{ name: 'byCustomer', partitionKey: 'c', sortkey: 'd' }] } } }), 'eventSourcing.readModel.indexes[0].sortkey', "is not a known field; did you mean 'sortKey'?"],
    ['a field of a resilience policy', lambdaSpec('orders', { calls: ['stock'], resilience: { stock: { timeoutMs: 100, retry: 1 } } }), 'resilience.stock.retry', "is not a policy field; did you mean 'retries'?"],
  ])('%s', (_what, spec, field, message) => {
    const catalog = [spec, lambdaSpec('stock')];
    expect(problemsOf(() => validateCatalog(catalog))).toContainEqual({ service: spec.name, field, message });
  });

  test('with no known field near, the message lists the known ones', () => {
    expect(problemsOf(() => validateCatalog([lambdaSpec('orders', { table: { partitionKey: 'id', zzzzzzzz: 1 } })]))).toContainEqual({
      service: 'orders', field: 'table.zzzzzzzz', message: 'is not a known field; known: partitionKey, sortKey, timeToLiveAttribute',
    });
  });

  test('a field left undefined is not a field set', () => {
    expect(() => validateCatalog([lambdaSpec('orders', { container: undefined, rutes: undefined })])).not.toThrow();
  });

  test('the nearest name is found by edit distance, and only when it is near', () => {
    expect(editDistance('rutes', 'routes')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearestOf('Routes', ['routes', 'config'])).toBe('routes');
    expect(nearestOf('banana', ['routes', 'config'])).toBeUndefined();
    expect(didYouMean('confg', ['routes', 'config'])).toBe("; did you mean 'config'?");
  });
});

describe('a field of another runtime is named as such, with the reason', () => {
  test.each<[string, ServiceSpec, string, string]>([
    ['container on a lambda service', lambdaSpec('orders', { container: fargateSpec('x').container }), 'container', 'is a field of the fargate and kubernetes runtimes, not lambda; remove it or change the runtime'],
    ['lambda on a fargate service', fargateSpec('carts', {}, { lambda: { entry: '/x.ts' } }), 'lambda', 'is a field of the lambda runtime, not fargate; remove it or change the runtime'],
    ['eventSourcing on a kubernetes service', kubernetesSpec('pricing', {}, { eventSourcing: { readModel: { partitionKey: 'id' } } }), 'eventSourcing',
      "is a field of the lambda runtime, not kubernetes (the event store's stream feeds a Lambda function); remove it or change the runtime"],
    ['sagaActions on a fargate service', fargateSpec('carts', {}, { sagaActions: ['ship'] }), 'sagaActions',
      "is a field of the lambda runtime, not fargate (a saga's state machine invokes Lambda functions); remove it or change the runtime"],
  ])('%s', (_what, spec, field, message) => {
    expect(problemsOf(() => validateCatalog([spec]))).toContainEqual({ service: spec.name, field, message });
  });
});

describe('the runtime must be one the platform knows', () => {
  test('a misspelt runtime names the known ones and the nearest', () => {
    expect(problemsOf(() => validateCatalog([{ ...lambdaSpec('orders'), runtime: 'lamda' } as never]))).toContainEqual({
      service: 'orders', field: 'runtime', message: "'lamda' is not a runtime the platform knows (lambda, fargate, kubernetes); did you mean 'lambda'?",
    });
  });

  test('a runtime the validation is not given is unknown, even a built-in one', () => {
    expect(problemsOf(() => validateCatalog([fargateSpec('carts')], { runtimes: [] }))).toContainEqual({
      service: 'carts', field: 'runtime', message: "'fargate' is not a runtime the platform knows ()",
    });
  });
});

describe('a block of the wrong shape is refused, saying what it should be', () => {
  test.each<[string, ServiceSpec, string, RegExp]>([
    ['routes[i]', lambdaSpec('orders', { routes: ['GET /orders'] }), 'routes[0]', /must be an object \{ route: "METHOD \/path"/],
    ['events', lambdaSpec('orders', { events: ['OrderPlaced'] }), 'events', /must be an object \{ publishes\?, consumes\? \}/],
    ['table', lambdaSpec('orders', { table: 'orders' }), 'table', /must be an object \{ partitionKey/],
    ['scaling', lambdaSpec('orders', { scaling: 5 }), 'scaling', /must be an object \{ min, max/],
    ['entry', lambdaSpec('orders', { entry: 'web' }), 'entry', /must be an object \{ frontEnd, basePath/],
    ['lambda', lambdaSpec('orders', { lambda: 'handler.ts' }), 'lambda', /must be an object \{ entry/],
    ['eventSourcing.readModel', lambdaSpec('orders', { eventSourcing: { readModel: 'orders' } }), 'eventSourcing.readModel', /is required: give at least \{ partitionKey \}/],
    ['eventSourcing.readModel.indexes', lambdaSpec('orders', { eventSourcing: { readModel: { partitionKey: 'id', indexes: 'byCustomer' } } }), 'eventSourcing.readModel.indexes', /must be a list of \{ name, partitionKey, sortKey\? \}/],
    ['a read-model index', lambdaSpec('orders', { eventSourcing: { readModel: { partitionKey: 'id', indexes: ['byCustomer'] } } }), 'eventSourcing.readModel.indexes[0]', /must be an object \{ name, partitionKey, sortKey\? \}/],
  ])('%s', (_what, spec, field, message) => {
    expect(problemsOf(() => validateCatalog([spec]))).toContainEqual({ service: spec.name, field, message: expect.stringMatching(message) });
  });
});
