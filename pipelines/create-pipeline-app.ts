import type { App } from 'aws-cdk-lib';
import type { SagaSpec, ServiceSpec } from 'msa-platform-blueprint';
import { catalog, sagas } from '../services';
import { PLATFORM_NAME } from '../stacks/environments';
import { newGatedApp } from 'msa-platform-blueprint/gates';
import { imageTagFromContext, pipelineSourceFromContext } from './pipeline-settings';
import { PlatformPipelineStack } from './platform-pipeline';

/** Options of createPipelineApp. */
export interface CreatePipelineAppOptions {
  /** Where the cloud assembly goes. @default - the CDK default (cdk.out, or the CLI's choice) */
  readonly outdir?: string;
  /** Context (the pipeline settings, and e.g. skipped bundling in tests). @default - none beyond the CLI's */
  readonly context?: Record<string, unknown>;
  /** Register the validation gates. @default true */
  readonly gates?: boolean;
  /** The catalog. @default - the demo catalog in services/ */
  readonly services?: readonly ServiceSpec[];
  /** The sagas. @default - the demo sagas when the catalog is the demo one, else none */
  readonly sagas?: readonly SagaSpec[];
}

/** The pipeline app: the pipeline stack, with the platform's environments as its stages, behind every validation gate. */
export function createPipelineApp(options: CreatePipelineAppOptions = {}): { app: App; pipeline: PlatformPipelineStack } {
  const app = newGatedApp(options);
  const pipeline = new PlatformPipelineStack(app, `${PLATFORM_NAME}-pipeline`, {
    description: `${PLATFORM_NAME}: the delivery pipeline of the platform`,
    platformName: PLATFORM_NAME,
    services: options.services ?? catalog,
    sagas: options.sagas ?? (options.services === undefined ? sagas : []),
    source: pipelineSourceFromContext(app.node),
    imageTag: imageTagFromContext(app.node),
  });
  return { app, pipeline };
}
