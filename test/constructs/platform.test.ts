import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConstructPropError, ServiceCatalogError } from '../../constructs/model/errors';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { MicroservicePlatform } from '../../constructs/platform';
import { SagaCatalogError } from '../../constructs/model/validate-patterns';
import { catalog, sagas } from '../../services';
import { catalog as catalogService } from '../../services/catalog/service';
import { placeOrderSaga } from '../../services/orders/place-order-saga';
import { newApp, newStack } from './helpers';
import { fargateSpec, lambdaSpec } from './model/fixtures/specs';

const resourcesIn = (stack: Stack) => stack.node.findAll().filter((c) => c instanceof CfnResource);

describe('MicroservicePlatform', () => {
  test.each(['Shop', 'shop_x', '1shop', 'a-very-long-platform-name', ''])('rejects the platform name %p', (platformName) => {
    let error: unknown;
    try {
      new MicroservicePlatform(newStack(), 'Platform', { platformName, services: catalog });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    expect((error as Error).message).toMatch(/^Test\/Platform: prop 'platformName'/);
  });

  test('rejects an invalid catalog with a ServiceCatalogError before any resource is made', () => {
    const stack = newStack();
    const broken: ServiceSpec[] = [...catalog, { ...catalog[0], name: 'orders' }];
    let error: unknown;
    try {
      new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: broken });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceCatalogError);
    expect((error as Error).message).toMatch(/service 'orders', field 'name': is declared twice/);
    expect(resourcesIn(stack)).toHaveLength(0);
  });

  test('a platform outside any stack needs a stack for every layer', () => {
    expect(() => new MicroservicePlatform(new App(), 'Platform', { platformName: 'shop', services: catalog })).toThrow(/prop 'placement.network' is missing/);
  });

  test('wires messaging from the specs: a bus when services publish, a subscription per consumer, a saga per saga spec', () => {
    const platform = new MicroservicePlatform(newStack(), 'Platform', { platformName: 'shop', services: catalog, sagas });
    expect(platform.events?.bus).toBeDefined();
    expect([...platform.sagas.keys()]).toEqual(['place-order']);
    const consumers = [...platform.eventConsumers.keys()];
    expect(consumers).toEqual(catalog.filter((spec) => spec.events?.consumes?.length).map((spec) => spec.name));
    expect(platform.lambdaServices.get('orders')?.eventStore).toBeDefined();
  });

  test('makes no bus when no service publishes or consumes events and there are no sagas', () => {
    const quiet: ServiceSpec = { name: 'quiet', runtime: 'lambda', lambda: { entry: catalog[0].lambda!.entry } };
    expect(new MicroservicePlatform(newStack(), 'Platform', { platformName: 'shop', services: [quiet] }).events).toBeUndefined();
  });

  test('rejects a saga that does not fit the catalog with a SagaCatalogError before any resource is made', () => {
    const stack = newStack();
    const broken = { ...placeOrderSaga, steps: [{ ...placeOrderSaga.steps[0], invoke: { service: 'shipping', action: 'ship' } }] };
    expect(() => new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: catalog, sagas: [broken] })).toThrow(SagaCatalogError);
    expect(resourcesIn(stack)).toHaveLength(0);
  });
});

describe("the edge gateway's VPC link", () => {
  const links = (services: readonly ServiceSpec[]) => {
    const app = newApp();
    const [network, shared, servicesStack, edge] = ['network', 'shared', 'services', 'edge'].map((id) => new Stack(app, id));
    new MicroservicePlatform(app, 'Platform', { platformName: 'shop', services, placement: { network, shared, services: servicesStack, edge } });
    return Object.fromEntries([['shared', shared], ['services', servicesStack], ['edge', edge]].map(([name, stack]) => [name, Object.keys(Template.fromStack(stack as Stack).findResources('AWS::ApiGatewayV2::VpcLink')).length]));
  };

  test('is made once, in the shared layer, when a container service has routes', () => {
    expect(links([lambdaSpec('orders', { routes: [{ route: 'GET /orders' }] }), catalogService, { ...catalogService, name: 'stock', routes: [{ route: 'GET /stock' }] }])).toEqual({ shared: 1, services: 0, edge: 0 });
  });

  test('is not made when every route is served by a function, or the container services have none', () => {
    expect(links([lambdaSpec('orders', { routes: [{ route: 'GET /orders' }] }), fargateSpec('stock')])).toEqual({ shared: 0, services: 0, edge: 0 });
  });
});
