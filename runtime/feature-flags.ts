/**
 * A service's feature flags, read from its AWS AppConfig configuration profile with Powertools
 * parameters (AppConfig data API, cached for `maxAgeSeconds`), so a flag deployed through AppConfig
 * applies within that time. The profile's JSON-schema validator checks a new version before it is
 * deployed; the values are checked again here. If AppConfig cannot be read, the last good flags are
 * served (or the defaults, before the first read) and the failure is logged.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import type * as zod from 'zod/v4/core';
import { validate } from './validation';

/** Properties of {@link FeatureFlags}. */
export interface FeatureFlagsProps<Schema extends zod.$ZodType> {
  /** AppConfig application (name or id). */
  readonly application: string;
  /** AppConfig environment (name or id). */
  readonly environment: string;
  /** The configuration profile (name or id) holding the flags. */
  readonly profile: string;
  /** What the flags document must look like. */
  readonly schema: Schema;
  /** Flags served until the first successful read. */
  readonly defaults: zod.output<Schema>;
  readonly logger: Pick<Logger, 'warn'>;
  /** Seconds a read is reused. @default 60 */
  readonly maxAgeSeconds?: number;
  /** @default - a new AppConfigProvider for the application and environment */
  readonly provider?: AppConfigProvider;
}

/** Reads feature flags; make one per container so its cache lives across invocations. */
export class FeatureFlags<Schema extends zod.$ZodType> {
  readonly #props: FeatureFlagsProps<Schema>;
  readonly #provider: AppConfigProvider;
  #lastGood: zod.output<Schema>;

  constructor(props: FeatureFlagsProps<Schema>) {
    this.#props = props;
    this.#provider = props.provider ?? new AppConfigProvider({ application: props.application, environment: props.environment });
    this.#lastGood = props.defaults;
  }

  /** The current flags. Never throws: a failed read serves the last good flags. */
  async read(): Promise<zod.output<Schema>> {
    try {
      const document = await this.#provider.get(this.#props.profile, { maxAge: this.#props.maxAgeSeconds ?? 60, transform: 'json' });
      const checked = validate(this.#props.schema, document);
      if (!checked.ok) throw new Error(checked.problems.map((problem) => `${problem.path} ${problem.message}`).join('; '));
      this.#lastGood = checked.value;
    } catch (error) {
      this.#props.logger.warn('feature flags could not be read; serving the last good flags', {
        profile: this.#props.profile,
        reason: (error as Error).message,
      });
    }
    return this.#lastGood;
  }
}
