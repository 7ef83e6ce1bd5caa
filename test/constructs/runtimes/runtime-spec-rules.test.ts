/**
 * Each runtime's spec rules, as the one validation pass runs them: the lambda entry and its
 * handler, the container checks both container runtimes share, what only one runtime can do, and
 * a runtime registered from outside the package checked by its own rules.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RuntimeRules } from '../../../constructs/model/runtime-rules';
import type { ServiceSpec, ServiceSpecBase } from '../../../constructs/model/service-spec';
import { BUILT_IN_SPEC_RULES, validateCatalog } from '../../../constructs/model/validate-catalog';
import { entryExportsOf } from '../../../constructs/runtimes/lambda/handler-exports';
import { catalog } from '../../../services';
import { fargateSpec, kubernetesSpec, lambdaSpec, problemsOf } from '../model/fixtures/specs';

/** Entry modules written for the test, in a directory of their own. */
const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'entries-'));
const entryFile = (name: string, source: string): string => {
  const file = path.join(modules, name);
  fs.writeFileSync(file, source);
  return file;
};
entryFile('impl.ts', 'export const handler = async () => 1;\nexport const other = 2;\n');
afterAll(() => fs.rmSync(modules, { recursive: true, force: true }));

const withEntry = (entry: string, handler?: string) => lambdaSpec('orders', { lambda: { entry, handler } });

describe('a lambda entry must exist and export its handler', () => {
  test.each([
    ['export const handler', 'export const handler = async () => 1;\n'],
    ["export { handler } from './impl'", "export { handler } from './impl';\n"],
    ["export * from './impl'", "export * from './impl';\n"],
    ['export function handler', 'export async function handler() { return 1; }\n'],
  ])('%s is accepted', (_how, source) => {
    const entry = entryFile(`ok-${Math.random().toString(36).slice(2)}.ts`, source);
    expect(() => validateCatalog([withEntry(entry)])).not.toThrow();
  });

  test('an entry that does not export handler is refused, naming what it exports', () => {
    const entry = entryFile('main-only.ts', 'export const main = async () => 1;\n');
    expect(problemsOf(() => validateCatalog([withEntry(entry)]))).toEqual([
      { service: 'orders', field: 'lambda.entry', message: `'${entry}' does not export 'handler' (it exports main)` },
    ]);
  });

  test('a handler name the entry does not export is refused on lambda.handler', () => {
    const entry = entryFile('reexport.ts', "export { handler } from './impl';\n");
    expect(problemsOf(() => validateCatalog([withEntry(entry, 'process')]))).toEqual([
      { service: 'orders', field: 'lambda.handler', message: `'${entry}' does not export 'process' (it exports handler)` },
    ]);
    expect(() => validateCatalog([withEntry(entryFile('star.ts', "export * from './impl';\n"), 'other')])).not.toThrow();
  });

  test('an entry file that does not exist is refused', () => {
    const entry = path.join(modules, 'missing.ts');
    expect(problemsOf(() => validateCatalog([withEntry(entry)]))).toEqual([{ service: 'orders', field: 'lambda.entry', message: `'${entry}' is not a file` }]);
  });

  test('an entry that cannot be bundled is refused with the bundler\'s reason', () => {
    const entry = entryFile('broken.ts', "export { handler } from './nowhere';\n");
    expect(problemsOf(() => validateCatalog([withEntry(entry)]))).toEqual([
      { service: 'orders', field: 'lambda.entry', message: expect.stringMatching(new RegExp(`^'${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' cannot be bundled: Could not resolve "./nowhere"`)) },
    ]);
  });

  test('an entry that re-exports all of a package is not refused: its exports are known only when it runs', () => {
    const entry = entryFile('package-star.ts', "export * from 'zod';\n");
    expect(entryExportsOf(entry)).toEqual(expect.objectContaining({ complete: false }));
    expect(() => validateCatalog([withEntry(entry)])).not.toThrow();
  });

  test('reading the demo\'s entries is fast, and each is read once per process', () => {
    const entries = catalog.flatMap((spec) => (spec.runtime === 'lambda' ? [spec.lambda.entry] : []));
    const started = Date.now();
    const first = entries.map((entry) => entryExportsOf(entry));
    const elapsed = Date.now() - started;
    expect(first.every((exports) => 'names' in exports && exports.names.includes('handler'))).toBe(true);
    expect(elapsed).toBeLessThan(10_000);
    entries.forEach((entry, i) => expect(entryExportsOf(entry)).toBe(first[i]));
  });
});

describe('lambda-only rules', () => {
  test.each<[string, ServiceSpec, string, RegExp]>([
    ['sagaActions that are not a list', lambdaSpec('orders', { sagaActions: 'confirmOrder' }), 'sagaActions', /must be a list of the saga actions/],
    ['a saga action that is not camelCase', lambdaSpec('orders', { sagaActions: ['Confirm-Order'] }), 'sagaActions[0]', /must be camelCase/],
    ['a saga action listed twice', lambdaSpec('orders', { sagaActions: ['confirmOrder', 'confirmOrder'] }), 'sagaActions[1]', /listed twice/],
    ['an event-sourcing block that is not an object', lambdaSpec('orders', { eventSourcing: 'yes' }), 'eventSourcing', /must be an object/],
    ['a handler name that is no identifier', lambdaSpec('orders', { lambda: { entry: lambdaSpec('x').lambda!.entry, handler: 'my-handler' } }), 'lambda.handler', /not an exported function name/],
  ])('refuses %s', (_what, spec, field, message) => {
    expect(problemsOf(() => validateCatalog([spec]))).toContainEqual({ service: spec.name, field, message: expect.stringMatching(message) });
  });
});

describe('the container checks both container runtimes share', () => {
  test.each([['fargate', fargateSpec], ['kubernetes', kubernetesSpec]] as const)('a %s port the collector beside it takes is refused', (_runtime, spec) => {
    expect(problemsOf(() => validateCatalog([spec('carts', { port: 4317 })]))).toEqual([
      { service: 'carts', field: 'container.port', message: '4317 is taken by the OpenTelemetry collector beside the service (it uses 4317, 4318, 13133); pick another port' },
    ]);
  });

  test.each([['fargate', fargateSpec], ['kubernetes', kubernetesSpec]] as const)('%s: a container that is not an object is refused', (_runtime, spec) => {
    expect(problemsOf(() => validateCatalog([{ ...spec('carts'), container: 'big' } as never]))).toContainEqual({ service: 'carts', field: 'container', message: expect.stringMatching(/must be an object/) });
  });
});

describe('calls into kubernetes', () => {
  const worker = kubernetesSpec('worker');
  const pricing = kubernetesSpec('pricing', {}, { routes: [{ route: 'POST /pricing/quotes' }] });
  const reason = 'from outside its cluster a kubernetes service is reached only through the load balancer in front of its routes, and it has no routes';

  test.each([['lambda', lambdaSpec('orders', { calls: ['worker'] })], ['fargate', fargateSpec('orders', {}, { calls: ['worker'] })]])('into a service without routes are refused from a %s service', (runtime, caller) => {
    expect(problemsOf(() => validateCatalog([caller, worker]))).toEqual([
      { service: 'orders', field: 'calls[0]', message: `'worker' runs on kubernetes, which this ${runtime} service cannot reach: ${reason}` },
    ]);
  });

  test('into a service with routes are allowed from lambda and fargate services: they reach it through the load balancer in front of its routes', () => {
    expect(() => validateCatalog([lambdaSpec('orders', { calls: ['pricing'] }), fargateSpec('carts', {}, { calls: ['pricing'] }), pricing])).not.toThrow();
  });

  test('are allowed from kubernetes, with routes or without, and kubernetes may call lambda and fargate services', () => {
    const specs = [kubernetesSpec('quotes', {}, { calls: ['pricing', 'worker', 'orders', 'carts'] }), pricing, worker, lambdaSpec('orders'), fargateSpec('carts')];
    expect(() => validateCatalog(specs)).not.toThrow();
  });
});

describe('a runtime registered from outside the package', () => {
  interface ExpressSpec extends ServiceSpecBase {
    readonly runtime: 'express';
    readonly server: { readonly port: number };
  }
  const expressRules: RuntimeRules<ExpressSpec> = {
    name: 'express',
    specFields: ['server'],
    checkSpec(spec, report) {
      if (spec.server.port < 1024) report('server.port', `${spec.server.port} is a privileged port`);
    },
  };
  const runtimes = [...BUILT_IN_SPEC_RULES, expressRules as RuntimeRules];
  const express = (port: number, extra: Record<string, unknown> = {}) => ({ name: 'web', runtime: 'express', server: { port }, ...extra }) as unknown as ServiceSpec;

  test('is checked by its own rules', () => {
    expect(() => validateCatalog([express(8080)], { runtimes })).not.toThrow();
    expect(problemsOf(() => validateCatalog([express(80)], { runtimes }))).toEqual([{ service: 'web', field: 'server.port', message: '80 is a privileged port' }]);
  });

  test('its fields are its own: another runtime\'s spec may not set them, and it may not set theirs', () => {
    expect(problemsOf(() => validateCatalog([lambdaSpec('orders', { server: { port: 1 } })], { runtimes }))).toContainEqual({
      service: 'orders', field: 'server', message: 'is a field of the express runtime, not lambda; remove it or change the runtime',
    });
    expect(problemsOf(() => validateCatalog([express(8080, { lambda: {} })], { runtimes }))).toContainEqual({
      service: 'web', field: 'lambda', message: 'is a field of the lambda runtime, not express; remove it or change the runtime',
    });
  });

  test('is unknown when the validation is not given its rules, and the known runtimes are named', () => {
    expect(problemsOf(() => validateCatalog([express(8080)]))).toContainEqual({
      service: 'web', field: 'runtime', message: "'express' is not a runtime the platform knows (lambda, fargate, kubernetes)",
    });
  });
});

test('a runtime\'s rules that fail on a malformed spec give a problem, not a TypeError', () => {
  const strict: RuntimeRules = { name: 'strict', specFields: ['server'], checkSpec: (spec) => void (spec as unknown as { server: { port: number } }).server.port };
  expect(problemsOf(() => validateCatalog([{ name: 'web', runtime: 'strict' } as never], { runtimes: [strict] }))).toEqual([
    { service: 'web', field: '(spec)', message: expect.stringMatching(/^the strict runtime's rules could not check it: Cannot read properties of undefined/) },
  ]);
});
