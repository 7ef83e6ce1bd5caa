import { Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct, IConstruct } from 'constructs';
import { type SagaSpec, type ServiceSpec, AccessLogBucket, EncryptedLogGroup, DEV_PROFILE, PROD_PROFILE, PlatformProfile, EncryptionKey, createPrivateBucket } from 'msa-platform-blueprint';
import { containerImageSteps } from './container-image-steps';
import { PIPELINE_CONTEXT, PipelineSource } from './pipeline-settings';
import { PlatformStage } from './platform-stage';

/** Props of a PlatformPipelineStack. */
export interface PlatformPipelineStackProps extends StackProps {
  /** Platform name, e.g. `shop`. */
  readonly platformName: string;
  /** The service catalog. */
  readonly services: readonly ServiceSpec[];
  /** Sagas across the catalog's services. @default - none */
  readonly sagas?: readonly SagaSpec[];
  /** The repository, branch and connection the pipeline deploys from. */
  readonly source: PipelineSource;
  /**
   * Tag the container images get: the commit ID, which the synth step passes in as context.
   * @default - images built as CDK assets (the pipeline's own synth always sets it)
   */
  readonly imageTag?: string;
  /**
   * The first environment: deployed, then checked.
   * @default DEV_PROFILE
   */
  readonly testProfile?: PlatformProfile;
  /**
   * The second environment: deployed after a person approves.
   * @default PROD_PROFILE
   */
  readonly productionProfile?: PlatformProfile;
  /**
   * How long the pipeline's build logs are kept (at least a year).
   * @default RetentionDays.TWO_YEARS
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The context the synth step passes to the pipeline app; the pipeline keeps its own settings across self-mutation. */
const SYNTH_ENV = { REPOSITORY: 'PIPELINE_REPOSITORY', BRANCH: 'PIPELINE_BRANCH', CONNECTION_ARN: 'PIPELINE_CONNECTION_ARN', COMMIT_ID: 'COMMIT_ID' } as const;

/** Where the synth step writes the pipeline app's cloud assembly. */
export const PIPELINE_ASSEMBLY_DIR = 'cdk.out/pipeline';

/**
 * The delivery pipeline of the whole platform (CDK Pipelines on CodePipeline V2): source from a
 * CodeConnections connection; a synth step that installs, runs the tests and synthesizes the
 * pipeline app through every validation gate; self-mutation; the test environment (each
 * container service's image built, pushed with the commit ID as its immutable tag and scanned
 * before its services stack deploys), an automated check of its edge, a manual approval, and the
 * production environment (the same images promoted, scanned again). Artifacts are KMS-encrypted
 * in a versioned, access-logged bucket; every build logs to an encrypted log group kept for years.
 */
export class PlatformPipelineStack extends Stack {
  /** The CDK pipeline. */
  public readonly pipeline: pipelines.CodePipeline;
  /** The test environment's stage. */
  public readonly testStage: PlatformStage;
  /** The production environment's stage. */
  public readonly productionStage: PlatformStage;
  /** The build logs. */
  public readonly logGroup: logs.LogGroup;
  /** The artifact bucket. */
  public readonly artifactBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PlatformPipelineStackProps) {
    super(scope, id, props);
    const { platformName, source } = props;
    const key = new EncryptionKey(this, 'Key', { description: `Encrypts the artifacts and build logs of the ${platformName} pipeline`, retain: true }).key;
    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    this.artifactBucket = createPrivateBucket(this, 'Artifacts', { encryptionKey: key, accessLogs, accessLogPrefix: 'pipeline-artifacts/', expiration: Duration.days(90), retain: true });
    this.logGroup = new EncryptedLogGroup(this, 'BuildLogs', { encryptionKey: key, retention: props.logRetention ?? logs.RetentionDays.TWO_YEARS, retain: true }).logGroup;

    const input = pipelines.CodePipelineSource.connection(source.repository, source.branch, {
      connectionArn: source.connectionArn,
      // Full clone metadata is not needed: the synth works from the files, and the commit ID comes as a variable.
      codeBuildCloneOutput: false,
      triggerOnPush: true,
    });
    const synth = new pipelines.ShellStep('Synth', {
      input,
      env: { [SYNTH_ENV.REPOSITORY]: source.repository, [SYNTH_ENV.BRANCH]: source.branch, [SYNTH_ENV.CONNECTION_ARN]: source.connectionArn, [SYNTH_ENV.COMMIT_ID]: input.sourceAttribute('CommitId') },
      installCommands: ['n 20'],
      commands: [
        'npm ci',
        'npm test',
        // The pipeline app: both environments, synthesized through every validation gate (an open finding fails the build).
        `npx cdk synth --app "npx tsx pipelines/app.ts" --output ${PIPELINE_ASSEMBLY_DIR} --quiet ` +
          `-c ${PIPELINE_CONTEXT.repository}="$${SYNTH_ENV.REPOSITORY}" -c ${PIPELINE_CONTEXT.branch}="$${SYNTH_ENV.BRANCH}" ` +
          `-c ${PIPELINE_CONTEXT.connectionArn}="$${SYNTH_ENV.CONNECTION_ARN}" -c ${PIPELINE_CONTEXT.imageTag}="$${SYNTH_ENV.COMMIT_ID}"`,
      ],
      primaryOutputDirectory: PIPELINE_ASSEMBLY_DIR,
    });

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: `${platformName}-platform`,
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      synth,
      selfMutation: true,
      crossAccountKeys: false,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.MEDIUM },
        logging: { cloudWatch: { logGroup: this.logGroup } },
        timeout: Duration.minutes(45),
      },
    });

    const stage = (stageId: string, profile: PlatformProfile) =>
      new PlatformStage(this, stageId, { platformName, profile, services: props.services, sagas: props.sagas, imageTag: props.imageTag });
    const testProfile = props.testProfile ?? DEV_PROFILE;
    const productionProfile = props.productionProfile ?? PROD_PROFILE;
    this.testStage = stage(capitalize(testProfile.name), testProfile);
    this.productionStage = stage(capitalize(productionProfile.name), productionProfile);

    const checks: pipelines.Step[] = [];
    const checkPath = edgeCheckPath(props.services);
    if (this.testStage.edgeUrl && checkPath) {
      checks.push(new pipelines.ShellStep('EdgeCheck', {
        input,
        envFromCfnOutputs: { EDGE_URL: this.testStage.edgeUrl },
        env: { CHECK_PATH: checkPath },
        commands: ['bash pipelines/scripts/check-edge.sh'],
      }));
    }
    this.pipeline.addStage(this.testStage, {
      stackSteps: containerImageSteps(this, this.testStage, { source: input, imageTag: props.imageTag }),
      post: checks,
    });
    this.pipeline.addStage(this.productionStage, {
      pre: [new pipelines.ManualApprovalStep('PromoteToProduction', { comment: `Promote commit ${input.sourceAttribute('CommitId')} from ${testProfile.name} (checked) to ${productionProfile.name}?` })],
      stackSteps: containerImageSteps(this, this.productionStage, { source: input, imageTag: props.imageTag, promoteFrom: this.testStage }),
    });
    this.pipeline.buildPipeline();
    this.encryptBuildProjects(key);
    this.acknowledgePipelineFindings();
  }

  /** Every CodeBuild project of the pipeline encrypts its build output with the pipeline's key. */
  private encryptBuildProjects(key: EncryptionKey['key']): void {
    for (const child of this.node.findAll()) {
      if (child instanceof codebuild.Project) {
        (child.node.defaultChild as codebuild.CfnProject).encryptionKey = key.keyArn;
        key.grantEncryptDecrypt(child);
      }
    }
  }

  /**
   * The findings left are in what CDK Pipelines generates; each is acknowledged on the policy or
   * project it concerns, with the reason it holds.
   */
  private acknowledgePipelineFindings(): void {
    const artifacts = this.getLogicalId(this.artifactBucket.node.defaultChild as s3.CfnBucket);
    const ack = (scope: IConstruct, ids: readonly string[], reason: string) => {
      for (const id of ids) Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${id}]`, reason });
    };
    const pipelinePolicies = this.node.findAll().filter((c): c is iam.Policy => c instanceof iam.Policy && c.node.path.startsWith(`${this.pipeline.node.path}/`));
    for (const policy of pipelinePolicies) {
      ack(policy, ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', `Resource::<${artifacts}.Arn>/*`],
        'CDK Pipelines reads and writes the pipeline\'s artifacts: the object wildcards cover only the objects of the pipeline\'s own artifact bucket.');
      ack(policy, ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
        'Encrypting and decrypting artifacts and build output with the pipeline\'s own key; the KMS action wildcards are held to that one key.');
      ack(policy, ['Resource::*'],
        'Actions without resource-level permissions: ecr:GetAuthorizationToken (registry login of the image and asset steps), cloudformation:DescribeStacks and the bootstrap-version lookup of self-mutation, CodeBuild report and log setup of the asset steps.');
    }
    for (const project of this.node.findAll().filter((c): c is codebuild.Project => c instanceof codebuild.Project)) {
      const policy = project.role?.node.tryFindChild('DefaultPolicy');
      const id = this.getLogicalId(project.node.defaultChild as codebuild.CfnProject);
      if (policy) {
        ack(policy, [
          `Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<${id}>:*`,
          `Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<${id}>-*`,
        ], 'CodeBuild\'s default log group and report groups of this one project (build logs also go to the pipeline\'s encrypted log group).');
      }
      if ((project.node.defaultChild as codebuild.CfnProject).environment && this.resolve((project.node.defaultChild as codebuild.CfnProject).environment).privilegedMode) {
        Validations.of(project).acknowledge({
          id: 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check',
          reason: 'This project builds container images with Docker (a service image, or a CDK image asset), which needs privileged mode; it runs only the repository\'s Dockerfiles, from the pipeline\'s own source.',
        });
      }
    }
    const assets = this.pipeline.node.tryFindChild('Assets');
    for (const role of ['FileRole', 'DockerRole']) {
      const policy = assets?.node.tryFindChild(role)?.node.tryFindChild('DefaultPolicy');
      if (policy) {
        ack(policy, ['Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/*', 'Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/*'],
          'One role serves every asset-publishing project CDK Pipelines makes, so its log and report grants name CodeBuild\'s prefix for this account and region rather than one project.');
      }
    }
    const selfMutation = this.pipeline.node.tryFindChild('UpdatePipeline')?.node.tryFindChild('SelfMutation')?.node.tryFindChild('Role')?.node.tryFindChild('DefaultPolicy');
    if (selfMutation) {
      ack(selfMutation, ['Resource::arn:*:iam::<AWS::AccountId>:role/*'],
        'Self-mutation assumes the CDK bootstrap roles of the account; CDK Pipelines holds the statement to roles tagged aws-cdk:bootstrap-role by a condition.');
    }
  }
}

/** A GET route behind the authorizer, with its path parameters filled, for the unauthenticated check. */
function edgeCheckPath(services: readonly ServiceSpec[]): string | undefined {
  // Kubernetes services are not behind the edge yet.
  for (const spec of services.filter((s) => s.runtime !== 'kubernetes')) {
    for (const { route } of spec.routes ?? []) {
      const [method, path] = route.split(' ');
      if (method === 'GET') return path.replace(/\{[^}]+\}/g, 'pipeline-check').replace(/^\//, '');
    }
  }
  return undefined;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
