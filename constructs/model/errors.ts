import type { IConstruct } from 'constructs';

/** One thing wrong with one field of one service spec. */
export interface SpecProblem {
  /** The service name as written in the spec (or its index when it has no usable name). */
  readonly service: string;
  /** The field, in dotted form, e.g. `routes[1].route`. */
  readonly field: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/** Thrown when a service catalog is invalid; lists every problem found. */
export class ServiceCatalogError extends Error {
  constructor(public readonly problems: SpecProblem[]) {
    super(
      `Invalid service catalog (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - service '${p.service}', field '${p.field}': ${p.message}`).join('\n'),
    );
    this.name = 'ServiceCatalogError';
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
