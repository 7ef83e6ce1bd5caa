/**
 * The one validation pass: everything a platform is made from (its name, its profile, the service
 * catalog, the sagas), checked before any resource is made, with every problem in one error.
 */
import { PlatformSpecError, SpecProblem, ValidationProblem } from './errors';
import { PLATFORM_NAME, PROFILE_NAME, platformFactsOf, platformNameProblems } from './physical-names';
import type { RuntimeRules } from './runtime-rules';
import type { SagaSpec } from './saga-spec';
import type { ServiceSpec, ServiceSpecBase } from './service-spec';
import type { Report } from './spec-fields';
import { catalogProblems, checkServiceSpec, labelOf, rulesByName } from './validate-catalog';
import { sagaProblems } from './validate-patterns';

/** What {@link validatePlatform} checks. */
export interface PlatformValidationInput {
  /** The platform name (lowercase, 1 to 16 characters). */
  readonly platformName: string;
  /** The profile: its name (it names the environment in every physical name), its budget and its key choice are checked here. */
  readonly profile: { readonly name: string; readonly monthlyBudgetUsd?: number; readonly serviceKeys?: string };
  /** The service catalog. */
  readonly services: readonly ServiceSpecBase[];
  /** The sagas. @default - none */
  readonly sagas?: readonly SagaSpec[];
  /**
   * The rules of every runtime the specs may name.
   * @default - the built-in rules (lambda, fargate, kubernetes)
   */
  readonly runtimes?: readonly RuntimeRules[];
}

/** Every problem of a platform's input, in one list: platform and profile first, then services, then sagas. */
export function platformProblems(input: PlatformValidationInput): ValidationProblem[] {
  const { platformName, profile, services, sagas = [], runtimes } = input;
  const sagaCount = Array.isArray(sagas) ? sagas.length : 0;
  const facts = platformFactsOf(Array.isArray(services) ? services : [], sagaCount);
  const nameProblems = platformNameProblems(platformName, profile?.name, facts);
  // Names are derived only from a valid platform and profile name; a broken one is reported once, above.
  const namesValid = typeof platformName === 'string' && PLATFORM_NAME.test(platformName) && typeof profile?.name === 'string' && PROFILE_NAME.test(profile.name);
  const namePrefix = namesValid ? `${platformName}-${profile.name}` : undefined;
  const budget = profile?.monthlyBudgetUsd;
  const budgetProblems =
    budget === undefined || (typeof budget === 'number' && Number.isFinite(budget) && budget > 0)
      ? []
      : [{ profile: String(profile?.name), field: 'monthlyBudgetUsd', message: `is ${String(budget)}; expected a positive amount of USD a month, or none for no budget` }];
  const serviceKeys = profile?.serviceKeys;
  const keyProblems =
    serviceKeys === undefined || serviceKeys === 'shared' || serviceKeys === 'per-service'
      ? []
      : [{ profile: String(profile?.name), field: 'serviceKeys', message: `is ${JSON.stringify(serviceKeys)}; expected 'shared' or 'per-service'` }];
  return [
    ...nameProblems,
    ...budgetProblems,
    ...keyProblems,
    ...catalogProblems(services, { runtimes, namePrefix }),
    ...sagaProblems(sagas, services, { runtimes, namePrefix }),
  ];
}

/**
 * Validates everything a platform is made from before any resource is made: the platform and
 * profile names, and every physical name derived from them; every service spec with the rules of
 * its runtime (unknown fields, capabilities, entries that export their handler, request body
 * schemas, monitoring thresholds, names); the catalog as a whole (routes, events, calls, entries);
 * and the sagas against the services' declared saga actions.
 *
 * @returns the services, unchanged, typed as specs of the runtimes
 * @throws PlatformSpecError listing every problem, each naming its subject and field. It is a
 *   `SagaCatalogError` when every problem is a saga's, a `ServiceCatalogError` when any is a service's.
 */
export function validatePlatform(input: PlatformValidationInput): readonly ServiceSpec[] {
  const problems = platformProblems(input);
  if (problems.length > 0) throw PlatformSpecError.of(problems);
  return input.services as readonly ServiceSpec[];
}

/** How {@link validateServiceSpec} checks a spec on its own. */
export interface ServiceSpecValidationOptions {
  /** @default - the built-in rules (lambda, fargate, kubernetes) */
  readonly runtimes?: readonly RuntimeRules[];
  /** `<platform>-<environment>`; when given, the names derived from it and the service name are checked. @default - names are not checked */
  readonly namePrefix?: string;
}

/**
 * Validates one spec with the same rules as the catalog check, for a service construct used on
 * its own (outside a platform): every field of the spec, but nothing across services (whether its
 * `calls` exist, whether someone publishes what it consumes).
 *
 * @throws ServiceCatalogError listing every problem of the spec
 */
export function validateServiceSpec<S extends ServiceSpecBase>(spec: S, options: ServiceSpecValidationOptions = {}): S {
  const problems: SpecProblem[] = [];
  const service = labelOf(spec, 0);
  const report: Report = (field, message) => problems.push({ service, field, message });
  checkServiceSpec(spec, report, rulesByName(options.runtimes), { catalog: [spec], namePrefix: options.namePrefix });
  if (problems.length > 0) throw PlatformSpecError.of(problems);
  return spec;
}
