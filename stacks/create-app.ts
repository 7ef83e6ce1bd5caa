import { App, AppProps } from 'aws-cdk-lib';
import type { SagaSpec } from '../constructs/model/saga-spec';
import type { ServiceSpec } from '../constructs/model/service-spec';
import type { PlatformProfile } from '../constructs/profile';
import { catalog, sagas } from '../services';
import { PLATFORM_NAME, profileNamed } from './environments';
import { PlatformStacks, addPlatformStacks } from './platform-stacks';
import { VALIDATE_AGAINST_DEFAULT_RULES, addValidationGates } from './validation-gates';

/** Options of createPlatformApp. */
export interface CreatePlatformAppOptions {
  /** The profile to synthesize. @default - the profile named by the `profile` context value, else dev */
  readonly profile?: PlatformProfile;
  /** Where the cloud assembly goes. @default - the CDK default (cdk.out, or the CLI's choice) */
  readonly outdir?: string;
  /** The catalog. @default - the demo catalog in services/ */
  readonly services?: readonly ServiceSpec[];
  /** The sagas. @default - the demo sagas in services/ when the catalog is the demo one, else none */
  readonly sagas?: readonly SagaSpec[];
  /** Register the validation gates. @default true */
  readonly gates?: boolean;
  /** Extra context, e.g. to skip bundling in unit tests. @default - none */
  readonly context?: Record<string, unknown>;
}

/** An app with every validation gate registered (unless `gates` is false) and schema findings failing synth. */
export function newGatedApp(options: { outdir?: string; context?: Record<string, unknown>; gates?: boolean } = {}): App {
  const props: AppProps = {
    outdir: options.outdir,
    context: {
      [VALIDATE_AGAINST_DEFAULT_RULES]: true,
      // Exports stay protected: a producer stack cannot drop a value a consumer still imports.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      ...options.context,
    },
  };
  const app = new App(props);
  if (options.gates ?? true) addValidationGates(app);
  return app;
}

/** Builds the app for one profile, with every validation gate registered. */
export function createPlatformApp(options: CreatePlatformAppOptions = {}): { app: App; stacks: PlatformStacks } {
  const app = newGatedApp(options);
  const profile = options.profile ?? profileNamed(app.node.tryGetContext('profile'));
  const stacks = addPlatformStacks(app, { platformName: PLATFORM_NAME, profile, services: options.services ?? catalog, sagas: options.sagas ?? (options.services === undefined ? sagas : []) });
  return { app, stacks };
}
