import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ConstructPropError, ServiceCatalogError } from '../../constructs/model/errors';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { MicroservicePlatform } from '../../constructs/platform';
import { catalog } from '../../services';
import { newStack } from './helpers';

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
});
