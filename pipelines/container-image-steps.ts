import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { PlatformStage } from './platform-stage';

/** The repository root: Dockerfile paths in the specs are absolute on the machine that synthesizes. */
const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** Options of containerImageSteps. */
export interface ContainerImageStepsOptions {
  /** The source checkout (Dockerfiles, build contexts, the push script). */
  readonly source: pipelines.IFileSetProducer;
  /** The immutable tag; without one the stage's images are CDK assets and no step is made. */
  readonly imageTag?: string;
  /** Promote the images this stage pushed (same tag) instead of building them again. @default - build */
  readonly promoteFrom?: PlatformStage;
}

/**
 * One CodeBuild step per container service of the stage, run before the stack of that service
 * deploys (after the shared stack, which holds the repositories): it builds the image from the
 * service's Dockerfile (or promotes the one the earlier stage built), pushes it to the service's
 * repository under the immutable tag, and fails on critical or high scan findings. Its role may
 * push to that one repository only (and, to promote, pull from the earlier stage's).
 */
export function containerImageSteps(pipelineStack: Stack, stage: PlatformStage, options: ContainerImageStepsOptions): pipelines.StackSteps[] {
  if (options.imageTag === undefined) return [];
  const platform = stage.stacks.platform;
  const stackSteps: pipelines.StackSteps[] = [];
  for (const [name, service] of platform.fargateServices) {
    const container = service.spec.container!;
    if (container.image) continue; // pinned in the spec: nothing to build
    const repositoryName = platform.imageRepositories.get(name)!.repositoryName;
    const sourceRepositoryName = options.promoteFrom?.stacks.platform.imageRepositories.get(name)?.repositoryName;
    const buildContext = container.buildContext ?? container.dockerfileDirectory;
    const repositoryArn = (repository: string) => pipelineStack.formatArn({ service: 'ecr', resource: 'repository', resourceName: repository });
    const policy = [
      new iam.PolicyStatement({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'PushAndScanResults',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:DescribeImageScanFindings'],
        resources: [repositoryArn(repositoryName)],
      }),
    ];
    if (sourceRepositoryName) {
      policy.push(new iam.PolicyStatement({
        sid: 'PullToPromote',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [repositoryArn(sourceRepositoryName)],
      }));
    }
    const step = new pipelines.CodeBuildStep(`${stage.stageName}-${name}-image`, {
      projectName: `${platform.node.id}-${name}-image`.slice(0, 150),
      input: options.source,
      env: {
        REPOSITORY_NAME: repositoryName,
        IMAGE_TAG: options.imageTag,
        ...(sourceRepositoryName
          ? { SOURCE_REPOSITORY: sourceRepositoryName }
          : { BUILD_CONTEXT: path.relative(REPOSITORY_ROOT, buildContext) || '.', DOCKERFILE: path.relative(buildContext, path.join(container.dockerfileDirectory, 'Dockerfile')) }),
      },
      commands: ['bash pipelines/scripts/push-image.sh'],
      // The services' images are linux/arm64: built natively on an arm64 builder, with Docker (privileged).
      buildEnvironment: { buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0, computeType: codebuild.ComputeType.LARGE, privileged: true },
      rolePolicyStatements: policy,
    });
    // Before the stack of the service that runs the image.
    stackSteps.push({ stack: stage.stacks.serviceStacks.get(name) ?? stage.stacks.services!, pre: [step] });
  }
  return stackSteps;
}
