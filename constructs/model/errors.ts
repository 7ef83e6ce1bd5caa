import type { IConstruct } from 'constructs';

/** One thing wrong with one field of one service spec. */
export interface SpecProblem {
  /** The service name as written in the spec (or its index when it has no usable name). */
  readonly service: string;
  /** The field, in dotted form, e.g. `routes[1].route`. */
  readonly field: string;
  /** What is wrong and what was expected. */
  readonly message: string;
  readonly saga?: never;
  readonly profile?: never;
  readonly platform?: never;
}

/** One thing wrong with one field of one saga spec. */
export interface SagaProblem {
  /** The saga name as written (or its index). */
  readonly saga: string;
  /** The field, in dotted form, e.g. `steps[1].invoke.service`. */
  readonly field: string;
  /** What is wrong and what was expected. */
  readonly message: string;
  readonly service?: never;
  readonly profile?: never;
  readonly platform?: never;
}

/** One thing wrong with one field of the platform profile (for example a name that makes a physical name too long). */
export interface ProfileProblem {
  /** The profile's name as written. */
  readonly profile: string;
  /** The field of the profile, e.g. `name`. */
  readonly field: string;
  /** What is wrong and what was expected. */
  readonly message: string;
  readonly service?: never;
  readonly saga?: never;
  readonly platform?: never;
}

/** One thing wrong with a prop of the platform itself (its name, the runtimes it is given). */
export interface PlatformProblem {
  /** The platform name as written. */
  readonly platform: string;
  /** The prop, e.g. `platformName`. */
  readonly field: string;
  /** What is wrong and what was expected. */
  readonly message: string;
  readonly service?: never;
  readonly saga?: never;
  readonly profile?: never;
}

/** A problem of any subject the validation pass checks; the key that is set (`service`, `saga`, `profile` or `platform`) says which. */
export type ValidationProblem = SpecProblem | SagaProblem | ProfileProblem | PlatformProblem;

/** `service 'orders'`, `saga 'place-order'`, `profile 'dev'` or `platform 'shop'`. */
export function subjectOf(problem: ValidationProblem): string {
  if (problem.service !== undefined) return `service '${problem.service}'`;
  if (problem.saga !== undefined) return `saga '${problem.saga}'`;
  if (problem.profile !== undefined) return `profile '${problem.profile}'`;
  return `platform '${problem.platform}'`;
}

function headingOf(problems: readonly ValidationProblem[]): string {
  if (problems.every((p) => p.service !== undefined)) return 'Invalid service catalog';
  if (problems.every((p) => p.saga !== undefined)) return 'Invalid sagas';
  return 'Invalid platform';
}

/**
 * Thrown by the validation pass: every problem found, each naming its subject (service, saga,
 * profile or platform) and the field. `validatePlatform` throws the subclass that fits the problems,
 * so code written against the older errors keeps working: a {@link SagaCatalogError} when every
 * problem is a saga's, a {@link ServiceCatalogError} when any is a service's, else this class.
 * Catch this class to catch them all.
 */
export class PlatformSpecError extends Error {
  constructor(public readonly problems: readonly ValidationProblem[]) {
    super(
      `${headingOf(problems)} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${subjectOf(p)}, field '${p.field}': ${p.message}`).join('\n'),
    );
    this.name = 'PlatformSpecError';
  }

  /** The error that fits the problems (see the class comment). */
  static of(problems: readonly ValidationProblem[]): PlatformSpecError {
    if (problems.length > 0 && problems.every((p) => p.saga !== undefined)) return new SagaCatalogError(problems);
    if (problems.some((p) => p.service !== undefined)) return new ServiceCatalogError(problems);
    return new PlatformSpecError(problems);
  }
}

/** Thrown when a service catalog is invalid (and by `validatePlatform` when any problem is a service's); lists every problem found. */
export class ServiceCatalogError extends PlatformSpecError {
  constructor(problems: readonly ValidationProblem[]) {
    super(problems);
    this.name = 'ServiceCatalogError';
  }
}

/** Thrown when the sagas do not fit the catalog (and by `validatePlatform` when every problem is a saga's); lists every problem found. */
export class SagaCatalogError extends PlatformSpecError {
  constructor(problems: readonly ValidationProblem[]) {
    super(problems);
    this.name = 'SagaCatalogError';
  }
}

/** Thrown when a construct is given a prop it cannot use. */
export class ConstructPropError extends Error {
  constructor(
    public readonly constructPath: string,
    public readonly prop: string,
    detail: string,
  ) {
    super(`${constructPath}: prop '${prop}' ${detail}`);
    this.name = 'ConstructPropError';
  }

  /** Builds the error for a construct, naming its path in the tree. */
  static of(scope: IConstruct, prop: string, detail: string): ConstructPropError {
    return new ConstructPropError(scope.node.path, prop, detail);
  }
}
