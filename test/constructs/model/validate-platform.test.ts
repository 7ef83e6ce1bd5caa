/**
 * The one validation pass: platform, profile, services and sagas, every problem in one error that
 * names its subject and field.
 */
import { PlatformSpecError, SagaCatalogError, ServiceCatalogError } from '../../../constructs/model/errors';
import { PLATFORM_NAMES, STATE_MACHINE_NAME, physicalNameProblem, platformFactsOf } from '../../../constructs/model/physical-names';
import type { SagaSpec } from '../../../constructs/model/saga-spec';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { validateCatalog } from '../../../constructs/model/validate-catalog';
import { sagaProblems } from '../../../constructs/model/validate-patterns';
import { platformProblems, validatePlatform, validateServiceSpec } from '../../../constructs/model/validate-platform';
import { DEV_PROFILE, PROD_PROFILE } from '../../../constructs/profile';
import { catalog, sagas } from '../../../services';
import { placeOrderSaga } from '../../../services/orders/place-order-saga';
import { errorOf, fargateSpec, kubernetesSpec, lambdaSpec, problemsOf } from './fixtures/specs';

const platform = (overrides: Partial<Parameters<typeof validatePlatform>[0]> = {}) => ({ platformName: 'shop', profile: DEV_PROFILE, services: catalog, sagas, ...overrides });

describe('validatePlatform', () => {
  test.each([['dev', DEV_PROFILE], ['prod', PROD_PROFILE]])('accepts the demo platform on the %s profile', (_name, profile) => {
    expect(validatePlatform(platform({ profile }))).toBe(catalog);
  });

  test('reports problems of services, a saga and the profile in one error', () => {
    const services = [...catalog.filter((s) => s.name !== 'orders'), { ...catalog.find((s) => s.name === 'orders')!, rutes: [] } as unknown as ServiceSpec, lambdaSpec('Bad_Name'), fargateSpec('carts', { port: 4318 })];
    const saga = { ...placeOrderSaga, reject: { service: 'orders', action: 'forgetOrder' } };
    const error = errorOf(() => validatePlatform({ platformName: 'acme-payments', profile: { name: 'eu-staging' }, services, sagas: [saga] }));
    expect(error).toBeInstanceOf(ServiceCatalogError);
    expect(error.problems).toEqual(expect.arrayContaining([
      { profile: 'eu-staging', field: 'name', message: "with platform 'acme-payments', makes the log domain name 'acme-payments-eu-staging-logs' 29 characters long; OpenSearch allows 3 to 28" },
      { service: 'orders', field: 'rutes', message: "is not a known field; did you mean 'routes'?" },
      { service: 'Bad_Name', field: 'name', message: expect.stringMatching(/not DNS-safe/) },
      { service: 'carts', field: 'container.port', message: expect.stringMatching(/taken by the OpenTelemetry collector/) },
      { saga: 'place-order', field: 'reject.action', message: "'forgetOrder' is not one of the sagaActions of 'orders' (confirmOrder, rejectOrder)" },
    ]));
    expect(error.message).toMatch(new RegExp(`^Invalid platform \\(${error.problems.length} problems\\):\\n`));
    for (const line of ["profile 'eu-staging', field 'name'", "service 'orders', field 'rutes'", "service 'carts', field 'container.port'", "saga 'place-order', field 'reject.action'"]) {
      expect(error.message).toContain(`  - ${line}: `);
    }
  });

  test('throws a SagaCatalogError when only sagas are wrong, and a PlatformSpecError for the profile alone', () => {
    const sagaOnly = errorOf(() => validatePlatform(platform({ sagas: [{ ...placeOrderSaga, startOn: 'Nothing' }] })));
    expect(sagaOnly).toBeInstanceOf(SagaCatalogError);
    expect(sagaOnly.message).toMatch(/^Invalid sagas \(1 problem\):\n  - saga 'place-order', field 'startOn'/);
    const profileOnly = errorOf(() => validatePlatform(platform({ profile: { name: 'EU_Staging' } })));
    expect(profileOnly).not.toBeInstanceOf(ServiceCatalogError);
    expect(profileOnly).not.toBeInstanceOf(SagaCatalogError);
    expect(profileOnly.problems).toEqual([{ profile: 'EU_Staging', field: 'name', message: expect.stringMatching(/must be 1 to 63 lowercase letters, digits or hyphens, starting with a letter/) }]);
  });

  test('refuses a platform name that is not lowercase, short and DNS-safe', () => {
    expect(problemsOf(() => validatePlatform(platform({ platformName: 'Shop_Online' })))).toEqual([
      { platform: 'Shop_Online', field: 'platformName', message: "'Shop_Online' must be 1 to 16 lowercase letters, digits or hyphens, starting with a letter" },
    ]);
  });

  test('names made from the platform and profile names are held to their limits, blamed on the profile', () => {
    const problems = problemsOf(() => validatePlatform(platform({ platformName: 'acme-payments', profile: { name: 'eu-staging' } })));
    expect(problems).toContainEqual({ profile: 'eu-staging', field: 'name', message: "with platform 'acme-payments', makes the X-Ray sampling rule name 'acme-payments-eu-staging-services' 33 characters long; X-Ray allows at most 32" });
    expect(problems.every((p) => p.profile === 'eu-staging' && p.field === 'name')).toBe(true);
  });

  test("the kubernetes services' load balancer name is held to the load balancer limit when some kubernetes service has routes", () => {
    const problems = (routes?: unknown) =>
      problemsOf(() => validatePlatform(platform({ platformName: 'acme-payments', profile: { name: 'eu-staging-frankfurt' }, services: [lambdaSpec('orders'), kubernetesSpec('quotes', {}, { routes })], sagas: [] })));
    const tooLong = {
      profile: 'eu-staging-frankfurt',
      field: 'name',
      message: "with platform 'acme-payments', makes the load balancer name of the kubernetes services 'acme-payments-eu-staging-frankfurt-eks' 38 characters long; Elastic Load Balancing allows at most 32",
    };
    expect(problems([{ route: 'GET /quotes' }])).toContainEqual(tooLong);
    // Without routes there is no such load balancer (the other names still break their limits).
    expect(problems()).not.toContainEqual(tooLong);
  });

  test('the sign-in domain prefixes may not carry a word Cognito keeps for itself', () => {
    expect(problemsOf(() => validatePlatform(platform({ platformName: 'aws-shop' })))).toContainEqual({
      profile: 'dev', field: 'name', message: expect.stringMatching(/^with platform 'aws-shop', makes the sign-in domain prefix 'aws-shop-dev-<account-id>', which Cognito refuses: .*without the reserved words 'aws', 'amazon' and 'cognito'/),
    });
  });

  test('a service name that makes its load balancer name too long is blamed on the service', () => {
    const problems = problemsOf(() => validatePlatform(platform({ platformName: 'acme-payments', profile: { name: 'prod' }, services: [lambdaSpec('orders'), fargateSpec('inventory-sync')], sagas: [] })));
    expect(problems).toEqual([
      { service: 'inventory-sync', field: 'name', message: "makes the load balancer name 'acme-payments-prod-inventory-sync' 33 characters long; Elastic Load Balancing allows at most 32" },
    ]);
  });

  test('a function name past 64 characters is refused, and one of 64 accepted', () => {
    const spec = lambdaSpec('a-service-name-of-thirty-two-chr');
    expect(() => validateCatalog([spec], { namePrefix: 'p'.repeat(31) })).not.toThrow();
    expect(problemsOf(() => validateCatalog([spec], { namePrefix: 'p'.repeat(32) }))).toEqual([
      { service: 'a-service-name-of-thirty-two-chr', field: 'name', message: `makes the function name '${'p'.repeat(32)}-a-service-name-of-thirty-two-chr' 65 characters long; Lambda allows at most 64` },
    ]);
  });

  test('a load balancer name may not start with internal-', () => {
    expect(problemsOf(() => validateCatalog([fargateSpec('xy')], { namePrefix: 'internal-dev' }))).toEqual([
      { service: 'xy', field: 'name', message: "makes the load balancer name 'internal-dev-xy', which Elastic Load Balancing refuses: it must be letters, digits and hyphens, not starting with 'internal-'" },
    ]);
  });

  test('a saga name that makes its state machine name too long is blamed on the saga', () => {
    expect(sagaProblems([placeOrderSaga], catalog, { namePrefix: 'p'.repeat(69) })).toEqual([
      { saga: 'place-order', field: 'name', message: `makes the state machine name '${'p'.repeat(69)}-place-order' 81 characters long; Step Functions allows at most 80` },
    ]);
    expect(physicalNameProblem('x'.repeat(80), STATE_MACHINE_NAME)).toBeUndefined();
  });

  test('names of resources the catalog does not need are not checked', () => {
    const names = (facts: ReturnType<typeof platformFactsOf>) => PLATFORM_NAMES.filter((n) => n.when?.(facts) ?? true).map((n) => n.what);
    const lean = names(platformFactsOf([lambdaSpec('orders')], 0));
    expect(lean).not.toEqual(expect.arrayContaining(['event bus name']));
    expect(lean).not.toContain('EKS cluster name');
    expect(lean).not.toContain('gateway VPC link name');
    expect(names(platformFactsOf(catalog, 1))).toEqual(expect.arrayContaining(['event bus name', 'EKS cluster name', 'ECS cluster name', 'web ACL name', 'AppConfig application name', 'gateway VPC link name', 'load balancer name of the kubernetes services']));
  });

  test('malformed input gives problems, never a TypeError', () => {
    expect(platformProblems({ platformName: 'shop', profile: DEV_PROFILE, services: 'orders' as never, sagas: 'place-order' as never })).toEqual([
      { service: '(catalog)', field: 'services', message: 'must be a list of service specs, not a string' },
      { saga: '(sagas)', field: 'sagas', message: 'must be a list of saga specs' },
    ]);
    expect(platformProblems({ platformName: 'shop', profile: DEV_PROFILE, services: [null, 7] as never, sagas: [null] as never })).toEqual([
      { service: '#0', field: '(spec)', message: 'is null; a service spec is an object { name, runtime, ... }' },
      { service: '#1', field: '(spec)', message: 'is a number; a service spec is an object { name, runtime, ... }' },
      { saga: '#0', field: '(saga)', message: 'must be an object { name, startOn, steps, complete, reject }' },
    ]);
  });
});

describe('the catalog pass also refuses', () => {
  test.each<[string, ServiceSpec[], string, string, string | RegExp]>([
    ['a description past 256 characters', [lambdaSpec('orders', { description: 'x'.repeat(257) })], 'orders', 'description', 'is 257 characters long; at most 256 are kept'],
    ['a description that is not a string', [lambdaSpec('orders', { description: 42 })], 'orders', 'description', 'must be a string of at most 256 characters'],
    ['a request body schema that is not draft-4 JSON Schema', [lambdaSpec('orders', { routes: [{ route: 'POST /orders', requestBodySchema: { type: 'objekt' } }] })], 'orders', 'routes[0].requestBodySchema',
      /^is not a valid JSON Schema \(draft 4\): schema\/type must be equal to one of the allowed values/],
    ['a request body schema with a required that is no list', [lambdaSpec('orders', { routes: [{ route: 'POST /orders', requestBodySchema: { type: 'object', required: 'id' } }] })], 'orders', 'routes[0].requestBodySchema',
      'is not a valid JSON Schema (draft 4): schema/required must be array'],
    ['a request body schema of another draft', [lambdaSpec('orders', { routes: [{ route: 'POST /orders', requestBodySchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' } }] })], 'orders', 'routes[0].requestBodySchema',
      /^is not a usable JSON Schema \(draft 4\): no schema with key or ref "http:\/\/json-schema.org\/draft-07\/schema#"/],
    ['a request body schema with a reference to nowhere', [lambdaSpec('orders', { routes: [{ route: 'POST /orders', requestBodySchema: { $ref: '#/definitions/order' } }] })], 'orders', 'routes[0].requestBodySchema',
      /^is not a usable JSON Schema \(draft 4\): can't resolve reference #\/definitions\/order/],
    ['two services whose request models get one name', [
      lambdaSpec('abc', { routes: [{ route: 'POST /abc', requestBodySchema: { type: 'object' } }] }),
      lambdaSpec('ab-c', { routes: [{ route: 'POST /ab-c', requestBodySchema: { type: 'object' } }] }),
    ], 'ab-c', 'routes[0].requestBodySchema', "makes the gateway model name 'abcPOST0', which service 'abc' (routes[0]) makes too; rename one of the services"],
  ])('%s', (_what, specs, service, field, message) => {
    expect(problemsOf(() => validateCatalog(specs))).toEqual([{ service, field, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
  });

  test('the demo\'s request body schemas, made by zod for draft 4, compile', () => {
    expect(catalog.flatMap((spec) => (spec.routes ?? []).filter((route) => route.requestBodySchema !== undefined))).not.toHaveLength(0);
    expect(() => validateCatalog(catalog)).not.toThrow();
  });
});

describe('validateServiceSpec checks one spec on its own with the same rules', () => {
  test('accepts a valid spec and returns it', () => {
    const spec = catalog.find((s) => s.name === 'catalog')!;
    expect(validateServiceSpec(spec, { namePrefix: 'shop-dev' })).toBe(spec);
  });

  test('refuses what the catalog pass refuses of the spec itself, but not what needs the rest of the catalog', () => {
    const spec = fargateSpec('carts', { port: 13133 }, { calls: ['somewhere'], events: { consumes: ['NobodyPublishes'] }, rutes: [] });
    const error = errorOf(() => validateServiceSpec(spec, { namePrefix: 'shop-dev' }));
    expect(error).toBeInstanceOf(ServiceCatalogError);
    expect(error.problems).toEqual([
      { service: 'carts', field: 'rutes', message: "is not a known field; did you mean 'routes'?" },
      { service: 'carts', field: 'container.port', message: expect.stringMatching(/^13133 is taken by the OpenTelemetry collector/) },
    ]);
  });

  test('checks the names it derives when given the prefix', () => {
    expect(problemsOf(() => validateServiceSpec(fargateSpec('inventory-sync'), { namePrefix: 'acme-payments-prod' }))).toEqual([
      { service: 'inventory-sync', field: 'name', message: "makes the load balancer name 'acme-payments-prod-inventory-sync' 33 characters long; Elastic Load Balancing allows at most 32" },
    ]);
  });
});

test('every error of the pass is a PlatformSpecError', () => {
  expect(errorOf(() => validateCatalog([lambdaSpec('Bad')]))).toBeInstanceOf(PlatformSpecError);
  expect(errorOf(() => validatePlatform(platform({ sagas: [{ name: 'x' } as SagaSpec] })))).toBeInstanceOf(PlatformSpecError);
});
