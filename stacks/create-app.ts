import type { App } from 'aws-cdk-lib';
import { type PlatformProfile, type PlatformStacks, type SagaSpec, type ServiceSpec, addPlatformStacks } from 'msa-platform-blueprint';
import { newGatedApp } from 'msa-platform-blueprint/gates';
import { catalog, sagas } from '../services';
import { PLATFORM_NAME, profileNamed } from './environments';

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

/** Builds the app for one profile, with every validation gate registered. */
export function createPlatformApp(options: CreatePlatformAppOptions = {}): { app: App; stacks: PlatformStacks } {
  const app = newGatedApp(options);
  const profile = options.profile ?? profileNamed(app.node.tryGetContext('profile'));
  const stacks = addPlatformStacks(app, { platformName: PLATFORM_NAME, profile, services: options.services ?? catalog, sagas: options.sagas ?? (options.services === undefined ? sagas : []) });
  return { app, stacks };
}
