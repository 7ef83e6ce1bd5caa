import { CfnOutput, Stage, StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type SagaSpec, type ServiceSpec, type PlatformProfile, type PlatformStacks, addPlatformStacks } from 'msa-platform-blueprint';

/** Props of a PlatformStage. */
export interface PlatformStageProps extends StageProps {
  /** Platform name, e.g. `shop`. */
  readonly platformName: string;
  /** The environment's profile. */
  readonly profile: PlatformProfile;
  /** The service catalog. */
  readonly services: readonly ServiceSpec[];
  /** Sagas across the catalog's services. @default - none */
  readonly sagas?: readonly SagaSpec[];
  /** Tag of the container images the pipeline pushed. @default - images built as CDK assets */
  readonly imageTag?: string;
}

/**
 * One environment of the platform as a pipeline stage: the same stacks `cdk deploy` makes
 * (`<platform>-<env>-network`, `-shared`, `-service-<name>` per service, `-services`, `-edge`,
 * `-edge-stage`, `-kubernetes`, `-sagas`, `-observability`, each when it has something in it), plus the
 * edge URL as an output of the edge stage's stack for the checks that follow the deployment.
 */
export class PlatformStage extends Stage {
  /** The stacks of the environment. */
  public readonly stacks: PlatformStacks;
  /** The base URL of the edge stage, when any service has routes. */
  public readonly edgeUrl?: CfnOutput;

  constructor(scope: Construct, id: string, props: PlatformStageProps) {
    super(scope, id, props);
    this.stacks = addPlatformStacks(this, {
      platformName: props.platformName,
      profile: props.profile,
      services: props.services,
      sagas: props.sagas,
      imageTag: props.imageTag,
    });
    const gateway = this.stacks.platform.gateway;
    if (gateway) {
      this.edgeUrl = new CfnOutput(this.stacks.edgeStage!, 'EdgeUrl', { value: gateway.url, description: 'Base URL of the edge stage' });
    }
  }
}
