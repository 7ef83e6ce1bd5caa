/**
 * A service's settings, read from its Parameter Store path with Powertools parameters and cached,
 * so that a changed value applies within `maxAgeSeconds` and without a redeploy.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type * as zod from 'zod/v4/core';
import { validate } from './validation';

/** Properties of a {@link ServiceConfig}. */
export interface ServiceConfigProps<Schema extends zod.$ZodType> {
  /** The service's Parameter Store path, e.g. `/shop/dev/orders`; each parameter directly under it is one setting. */
  readonly path: string;
  /**
   * What the settings must look like: an object schema keyed by parameter name (relative to `path`) that
   * takes the string values and gives typed ones (e.g. a string-to-number pipe).
   */
  readonly schema: Schema;
  /**
   * Seconds a value read is reused before Parameter Store is asked again.
   * @default 60
   */
  readonly maxAgeSeconds?: number;
  /**
   * The provider to read through, e.g. one built with an SSM client of your own.
   * @default - a new `SSMProvider` with a default SSM client, made once with this object
   */
  readonly provider?: SSMProvider;
}

/** Reads and checks a service's settings; make one per container (module scope) so its cache lives across invocations. */
export class ServiceConfig<Schema extends zod.$ZodType> {
  /** The Parameter Store path read. */
  public readonly path: string;
  /** Seconds a value read is reused. */
  public readonly maxAgeSeconds: number;
  readonly #schema: Schema;
  readonly #provider: SSMProvider;

  constructor(props: ServiceConfigProps<Schema>) {
    this.path = props.path;
    this.maxAgeSeconds = props.maxAgeSeconds ?? 60;
    this.#schema = props.schema;
    this.#provider = props.provider ?? new SSMProvider();
  }

  /**
   * The current settings: from the cache while it is younger than `maxAgeSeconds`, otherwise
   * from Parameter Store (GetParametersByPath).
   *
   * @throws Error naming the path and each bad or missing setting when the stored values do not fit the schema
   */
  async read(): Promise<zod.output<Schema>> {
    const values = await this.#provider.getMultiple(this.path, { maxAge: this.maxAgeSeconds });
    const checked = validate(this.#schema, values ?? {});
    if (!checked.ok) {
      const problems = checked.problems.map((problem) => `${problem.path} ${problem.message}`).join('; ');
      throw new Error(`the settings under Parameter Store path ${this.path} are not usable: ${problems}`);
    }
    return checked.value;
  }
}
