import { Template } from 'aws-cdk-lib/assertions';
import { PlatformIdentity } from '../../../constructs/identity/platform-identity';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { orders } from '../../../services/orders/service';
import { logicalIds, newStack } from '../helpers';

const carts: ServiceSpec = {
  name: 'carts',
  runtime: 'lambda',
  lambda: { entry: '/app/h.ts' },
  routes: [{ route: 'POST /carts', frontEnds: ['web'] }, { route: 'GET /carts/{id}' }],
};

/** The scopes a client is given, with the resource server Ref replaced by its identifier. */
function clientScopes(template: Template, clientName: string): string[] {
  const servers = template.findResources('AWS::Cognito::UserPoolResourceServer');
  const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient', { Properties: { ClientName: clientName } }));
  return (client.Properties.AllowedOAuthScopes as unknown[]).map((scope) => {
    if (typeof scope === 'string') return scope;
    const [sep, parts] = (scope as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map((p) => (typeof p === 'string' ? p : servers[(p as { Ref: string }).Ref].Properties.Identifier)).join(sep);
  });
}

describe('PlatformIdentity', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    new PlatformIdentity(stack, 'Identity', { platformName: 'shop', environmentName: 'dev', services: [orders, carts], threatProtection: false });
    template = Template.fromStack(stack);
  });

  test('requires MFA (OTP, no SMS) and a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  test('the resource server scopes are derived from the routes', () => {
    const [server] = Object.values(template.findResources('AWS::Cognito::UserPoolResourceServer'));
    expect(server.Properties.Identifier).toBe('shop');
    const names = (server.Properties.Scopes as Array<{ ScopeName: string }>).map((s) => s.ScopeName).sort();
    expect(names).toEqual(['carts.read', 'carts.write', 'orders.read', 'orders.write']);
  });

  test('each front-end client gets exactly the scopes of the routes it exposes', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
    expect(clientScopes(template, 'shop-web').sort()).toEqual(['email', 'openid', 'shop/carts.read', 'shop/carts.write', 'shop/orders.read', 'shop/orders.write']);
    // POST /carts is web-only, so mobile cannot write carts.
    expect(clientScopes(template, 'shop-mobile').sort()).toEqual(['email', 'openid', 'shop/carts.read', 'shop/orders.read', 'shop/orders.write']);
  });

  test('clients are public (no secret) and use the authorization code flow', () => {
    for (const id of logicalIds(template, 'AWS::Cognito::UserPoolClient')) {
      const props = template.findResources('AWS::Cognito::UserPoolClient')[id].Properties;
      expect(props.GenerateSecret).toBe(false);
      expect(props.AllowedOAuthFlows).toEqual(['code']);
    }
  });

  test('is on the Essentials tier without threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
  });

  test('runs on the Plus tier with threat protection enforced when threatProtection is on', () => {
    const stack = newStack();
    new PlatformIdentity(stack, 'Identity', { platformName: 'shop', environmentName: 'prod', services: [orders], threatProtection: true });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
  });

  test('scopeFor rejects a scope no route needs', () => {
    const identity = new PlatformIdentity(newStack(), 'Identity', { platformName: 'shop', environmentName: 'dev', services: [orders] });
    expect(() => identity.scopeFor('carts.read')).toThrow(/prop 'services' declares no route that needs the scope 'carts.read'/);
  });

  test.each([
    [{ platformName: 'Shop!' }, 'platformName'],
    [{ callbackUrls: { tv: ['x://cb'] } as never }, 'callbackUrls.tv'],
    [{ callbackUrls: { web: [] } }, 'callbackUrls.web'],
  ])('rejects bad props %o', (props, prop) => {
    expect(() => new PlatformIdentity(newStack(), 'Identity', { platformName: 'shop', environmentName: 'dev', services: [orders], ...props })).toThrow(
      new RegExp(`Test/Identity: prop '${prop.replace('.', '\\.')}'`),
    );
  });
});
