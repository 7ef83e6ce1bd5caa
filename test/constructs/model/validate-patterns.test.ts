import { ServiceCatalogError } from '../../../constructs/model/errors';
import type { SagaSpec } from '../../../constructs/model/saga-spec';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { validateCatalog } from '../../../constructs/model/validate-catalog';
import { SagaCatalogError, validateSagas } from '../../../constructs/model/validate-patterns';
import { catalog, sagas } from '../../../services';
import { placeOrderSaga } from '../../../services/orders/place-order-saga';
import { DOCKERFILE_DIRECTORY, lambdaSpec } from './fixtures/specs';


describe('eventSourcing in a service spec', () => {
  const problemsOf = (spec: ServiceSpec) => {
    try {
      validateCatalog([spec]);
    } catch (error) {
      expect(error).toBeInstanceOf(ServiceCatalogError);
      return (error as ServiceCatalogError).problems;
    }
    throw new Error('validateCatalog accepted an invalid catalog');
  };

  test.each([
    ['a read model without a partition key', { readModel: {} }, 'eventSourcing.readModel.partitionKey', /'undefined' is not a valid attribute name/],
    ['an index with a bad name', { readModel: { partitionKey: 'id', indexes: [{ name: 'x', partitionKey: 'customerId' }] } }, 'eventSourcing.readModel.indexes[0].name', /3 to 255/],
    [
      'an index declared twice',
      { readModel: { partitionKey: 'id', indexes: [{ name: 'byCustomer', partitionKey: 'customerId' }, { name: 'byCustomer', partitionKey: 'customerId' }] } },
      'eventSourcing.readModel.indexes[1].name',
      /declared twice/,
    ],
    ['an index sort key that is no attribute name', { readModel: { partitionKey: 'id', indexes: [{ name: 'byCustomer', partitionKey: 'customerId', sortKey: 'created at' }] } }, 'eventSourcing.readModel.indexes[0].sortKey', /not a valid attribute name/],
    ['a projection batch of 0', { readModel: { partitionKey: 'id' }, projectionBatchSize: 0 }, 'eventSourcing.projectionBatchSize', /from 1 to 100/],
  ])('%s is refused, naming the service and the field', (_case, eventSourcing, field, message) => {
    const problems = problemsOf(lambdaSpec('orders', { eventSourcing }));
    expect(problems).toContainEqual({ service: 'orders', field, message: expect.stringMatching(message) });
  });

  test('is refused on a service that does not run on Lambda', () => {
    const spec: ServiceSpec = {
      name: 'carts',
      runtime: 'fargate',
      container: { port: 8080, cpu: 256, memoryMiB: 512, healthCheckPath: '/health', dockerfileDirectory: DOCKERFILE_DIRECTORY },
      eventSourcing: { readModel: { partitionKey: 'id' } },
    } as unknown as ServiceSpec;
    expect(problemsOf(spec)).toContainEqual({ service: 'carts', field: 'eventSourcing', message: "is a field of the lambda runtime, not fargate (the event store's stream feeds a Lambda function); remove it or change the runtime" });
  });
});

describe('validateSagas', () => {
  test('accepts the demo sagas against the demo catalog', () => {
    expect(validateSagas(sagas, catalog)).toBe(sagas);
  });

  const errorOf = (saga: SagaSpec, services: readonly ServiceSpec[] = catalog) => {
    try {
      validateSagas([saga], services);
    } catch (error) {
      expect(error).toBeInstanceOf(SagaCatalogError);
      return error as SagaCatalogError;
    }
    throw new Error('validateSagas accepted an invalid saga');
  };

  test.each([
    ['a name that is not DNS-safe', { ...placeOrderSaga, name: 'Place Order' }, 'name', /not DNS-safe/],
    ['a start event nobody publishes', { ...placeOrderSaga, startOn: 'CartAbandoned' }, 'startOn', /no service in the catalog publishes 'CartAbandoned'/],
    ['no steps', { ...placeOrderSaga, steps: [] }, 'steps', /at least one step/],
    ['a step name taken by Reject', { ...placeOrderSaga, steps: [{ ...placeOrderSaga.steps[0], name: 'Reject' }] }, 'steps[0].name', /'Reject' is used twice/],
    ['a step of an unknown service', { ...placeOrderSaga, steps: [{ ...placeOrderSaga.steps[0], invoke: { service: 'shipping', action: 'ship' } }] }, 'steps[0].invoke.service', /'shipping' is not a service of the catalog/],
    ['an action that is not camelCase', { ...placeOrderSaga, complete: { service: 'orders', action: 'Confirm-Order' } }, 'complete.action', /must be camelCase/],
    ['an action its service does not declare', { ...placeOrderSaga, complete: { service: 'orders', action: 'shipOrder' } }, 'complete.action', /^'shipOrder' is not one of the sagaActions of 'orders' \(confirmOrder, rejectOrder\)$/],
    ['an unknown field of the saga', { ...placeOrderSaga, stepz: [] }, 'stepz', /^is not a known field; did you mean 'steps'\?$/],
    ['an unknown field of a step', { ...placeOrderSaga, steps: [{ ...placeOrderSaga.steps[0], compensation: placeOrderSaga.steps[0].compensate }] }, 'steps[0].compensation', /did you mean 'compensate'\?$/],
    ['an unknown field of an action', { ...placeOrderSaga, reject: { ...placeOrderSaga.reject, actoin: 'x' } }, 'reject.actoin', /did you mean 'action'\?$/],
    ['a step that is not an object', { ...placeOrderSaga, steps: ['ReserveInventory'] }, 'steps[0]', /must be an object \{ name, invoke, compensate \}/],
    ['an action that is not an object', { ...placeOrderSaga, complete: 'confirmOrder' }, 'complete', /must be an object \{ service, action \}/],
  ])('refuses %s, naming the saga and the field', (_case, saga, field, message) => {
    const error = errorOf(saga as SagaSpec);
    expect(error.problems).toContainEqual({ saga: (saga as SagaSpec).name, field, message: expect.stringMatching(message) });
    expect(error.message).toContain(`saga '${(saga as SagaSpec).name}', field '${field}'`);
  });

  test('refuses an action of a service that does not run on Lambda', () => {
    const carts: ServiceSpec = { name: 'carts', runtime: 'fargate', container: { port: 8080, cpu: 256, memoryMiB: 512, healthCheckPath: '/health', dockerfileDirectory: DOCKERFILE_DIRECTORY } };
    const saga = { ...placeOrderSaga, reject: { service: 'carts', action: 'forget' } };
    expect(errorOf(saga, [...catalog, carts]).problems).toContainEqual({ saga: 'place-order', field: 'reject.service', message: "'carts' runs on 'fargate'; saga actions invoke lambda services" });
  });

  test('refuses an action of a lambda service that declares no saga actions', () => {
    const saga = { ...placeOrderSaga, complete: { service: 'quiet', action: 'confirmOrder' } };
    expect(errorOf(saga, [...catalog, lambdaSpec('quiet')]).problems).toEqual([
      { saga: 'place-order', field: 'complete.action', message: "'confirmOrder' is not handled by 'quiet', which declares no sagaActions; list the actions its function handles there" },
    ]);
  });

  test('refuses the same saga twice', () => {
    expect(() => validateSagas([placeOrderSaga, placeOrderSaga], catalog)).toThrow(/saga 'place-order', field 'name': is declared twice/);
  });
});
