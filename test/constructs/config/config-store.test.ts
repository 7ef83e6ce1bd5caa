import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ConfigStore } from '../../../constructs/config/config-store';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import type { DeployedService } from '../../../constructs/runtimes/service-runtime';
import { orders } from '../../../services/orders/service';
import { arnText, asList, logicalIds, newStack, statementsOfRole } from '../helpers';

const billing: ServiceSpec = { name: 'billing', runtime: 'lambda', lambda: { entry: '/app/h.ts' }, config: { provider: 'stripe' } };
const PREFIX = 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter';

/** The least a deployed service offers the config store: a construct with a role, its spec and its environment. */
class BoundService extends Construct {
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly environment: Record<string, string> = {};
  constructor(scope: Construct, public readonly spec: ServiceSpec) {
    super(scope, spec.name);
    this.grantPrincipal = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  }
  public addEnvironment(name: string, value: string): void {
    this.environment[name] = value;
  }
}

describe('ConfigStore', () => {
  let template: Template;
  let store: ConfigStore;
  beforeAll(() => {
    const stack = newStack();
    store = new ConfigStore(stack, 'Config', { platformName: 'shop', environmentName: 'dev', services: [orders, billing] });
    store.grantReadConfig('orders', new iam.Role(stack, 'OrdersRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    template = Template.fromStack(stack);
  });

  test('writes one parameter per config key at /<platform>/<env>/<service>/<key> with its value', () => {
    template.resourceCountIs('AWS::SSM::Parameter', 3);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/shop/dev/orders/maxItemsPerOrder', Value: '20', Type: 'String' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/shop/dev/orders/currency', Value: 'EUR' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/shop/dev/billing/provider', Value: 'stripe' });
    expect(store.pathOf('orders')).toBe('/shop/dev/orders');
  });

  test('grantReadConfig reads exactly the service path and its own parameters, without wildcards', () => {
    const [role] = logicalIds(template, 'AWS::IAM::Role');
    const statements = statementsOfRole(template, role);
    const resourcesFor = (action: string) =>
      statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource)).map(arnText).sort();

    expect(resourcesFor('ssm:GetParametersByPath')).toEqual([`${PREFIX}/shop/dev/orders`]);
    const own = [`${PREFIX}/shop/dev/orders/currency`, `${PREFIX}/shop/dev/orders/maxItemsPerOrder`];
    expect(resourcesFor('ssm:GetParameter')).toEqual(own);
    expect(resourcesFor('ssm:GetParameters')).toEqual(own);

    const all = statements.flatMap((s) => asList(s.Resource)).map(arnText);
    expect(all.some((r) => r.includes('billing'))).toBe(false);
    expect(all.some((r) => r.includes('*'))).toBe(false);
    expect(statements.flatMap((s) => asList(s.Action)).every((a) => ['ssm:GetParametersByPath', 'ssm:GetParameter', 'ssm:GetParameters'].includes(a))).toBe(true);
  });

  test('grantReadConfig of an unknown service throws, naming it', () => {
    const role = new iam.Role(newStack(), 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => store.grantReadConfig('payments', role)).toThrow(/prop 'services' has no service named 'payments'/);
  });

  test('a service it was not given is bound with its parameters made beside it, in its own stack', () => {
    const app = newStack().node.scope as App;
    const shared = new Stack(app, 'Shared');
    const own = new Stack(app, 'Billing');
    const store = new ConfigStore(shared, 'Config', { platformName: 'shop', environmentName: 'dev' });
    const service = new BoundService(own, billing);
    // The store reads only what a BoundService has.
    store.bindService(service as unknown as DeployedService);
    Template.fromStack(shared).resourceCountIs('AWS::SSM::Parameter', 0);
    Template.fromStack(own).hasResourceProperties('AWS::SSM::Parameter', { Name: '/shop/dev/billing/provider', Value: 'stripe' });
    expect(store.parameters.get('billing')!.get('provider')!.node.path).toBe('Billing/billing/Config/provider');
    expect(service.environment).toEqual({ CONFIG_PATH: '/shop/dev/billing', CONFIG_MAX_AGE_SECONDS: '60' });
  });

  test.each([
    [{ platformName: 'Shop', environmentName: 'dev' }, 'platformName'],
    [{ platformName: 'shop', environmentName: 'dev/x' }, 'environmentName'],
  ])('rejects bad hierarchy levels %o', (names, prop) => {
    expect(() => new ConfigStore(newStack(), 'Config', { ...names, services: [orders] })).toThrow(new RegExp(`Test/Config: prop '${prop}'`));
  });
});
