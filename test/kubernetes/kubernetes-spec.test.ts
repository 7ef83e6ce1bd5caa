import { ServiceCatalogError } from '../../constructs/model/errors';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { validateCatalog } from '../../constructs/model/validate-catalog';
import { catalog } from '../../services';
import { pricing } from '../../services/pricing/service';

const withContainer = (container: Partial<NonNullable<ServiceSpec['container']>>, rest: Record<string, unknown> = {}): ServiceSpec => ({
  ...pricing,
  ...rest,
  container: { ...pricing.container!, ...container },
}) as ServiceSpec;

function problemsOf(spec: ServiceSpec): string[] {
  try {
    validateCatalog([...catalog.filter((s) => s.name !== spec.name), spec]);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceCatalogError);
    return (error as ServiceCatalogError).problems.map((p) => `${p.service}:${p.field}: ${p.message}`);
  }
  return [];
}

test('the demo catalog, with its kubernetes service, is valid', () => {
  expect(() => validateCatalog(catalog)).not.toThrow();
  expect(pricing.runtime).toBe('kubernetes');
});

test.each([
  ['min above max', withContainer({}, { scaling: { min: 5, max: 2 } }), /^pricing:scaling: min \(5\) is above max \(2\)$/],
  ['zero pods', withContainer({}, { scaling: { min: 0, max: 2 } }), /^pricing:scaling.min: 0 must be a whole number from 1 to 1000$/],
  ['a port out of range', withContainer({ port: 70000 }), /^pricing:container.port: 70000 must be a port from 1 to 65535$/],
  ['a fractional milli-CPU', withContainer({ cpu: 2.5 }), /^pricing:container.cpu: 2.5 must be whole milli-CPUs/],
  ['too little memory', withContainer({ memoryMiB: 8 }), /^pricing:container.memoryMiB: 8 must be whole MiB from 16/],
  ['a health path without a slash', withContainer({ healthCheckPath: 'health' }), /^pricing:container.healthCheckPath: 'health' must be a path starting with \//],
  ['an image on latest', withContainer({ image: 'ghcr.io/acme/pricing:latest' }), /^pricing:container.image: 'ghcr.io\/acme\/pricing:latest' is not pinned/],
  ['an image with no tag or digest', withContainer({ image: 'ghcr.io/acme/pricing' }), /^pricing:container.image: 'ghcr.io\/acme\/pricing' is not pinned/],
  ['an image reference that is not one', withContainer({ image: 'Not An Image' }), /^pricing:container.image: 'Not An Image' is not an image reference/],
  ['no container at all', { ...pricing, container: undefined } as unknown as ServiceSpec, /^pricing:container: is required for the kubernetes runtime/],
])('a kubernetes spec with %s fails naming the service and field', (_label, spec, message) => {
  const problems = problemsOf(spec);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(message);
});

test.each([
  ['a tag', 'ghcr.io/acme/pricing:1.4.2'],
  ['a digest', `ghcr.io/acme/pricing@sha256:${'0'.repeat(64)}`],
  ['a tag and a digest on a registry with a port', `localhost:5000/shop/pricing:src-1@sha256:${'f'.repeat(64)}`],
])('an image pinned by %s is accepted', (_label, image) => {
  expect(problemsOf(withContainer({ image }))).toEqual([]);
});
