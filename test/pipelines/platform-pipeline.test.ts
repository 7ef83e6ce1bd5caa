import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createPipelineApp } from '../../pipelines/create-pipeline-app';
import { PIPELINE_CONTEXT, PipelineSettingsError, pipelineSourceFromContext } from '../../pipelines/pipeline-settings';
import type { PlatformPipelineStack } from '../../pipelines/platform-pipeline';
import { arnText, asList, statementsOfRole } from '../constructs/helpers';

// One synth of the pipeline app (both environments) through every validation gate.
jest.setTimeout(180_000);

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/12345678-1234-1234-1234-123456789012';
const SETTINGS = {
  [PIPELINE_CONTEXT.repository]: 'acme/shop',
  [PIPELINE_CONTEXT.branch]: 'release',
  [PIPELINE_CONTEXT.connectionArn]: CONNECTION_ARN,
  [PIPELINE_CONTEXT.imageTag]: '0123abc',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { [key: string]: any };
interface Action { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: Resource }

describe('the platform pipeline, synthesized through every validation gate', () => {
  let outdir: string;
  let pipeline: PlatformPipelineStack;
  let template: Template;
  let stages: { Name: string; Actions: Action[] }[];
  let synthError: unknown;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
    const created = createPipelineApp({ outdir, context: { ...SETTINGS, 'aws:cdk:bundling-stacks': [] } });
    pipeline = created.pipeline;
    try {
      created.app.synth();
    } catch (error) {
      synthError = error;
    }
    template = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(outdir, pipeline.templateFile), 'utf8')));
    stages = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  const projectOf = (action: Action): Resource => template.findResources('AWS::CodeBuild::Project')[action.Configuration!.ProjectName.Ref];
  /** A step's variables: plain ones in its build spec, pipeline variables and stack outputs in the action. */
  const variablesOf = (action: Action): Record<string, string> => ({
    ...Object.fromEntries((projectOf(action).Properties.Environment.EnvironmentVariables ?? []).map((v: { Name: string; Value: string }) => [v.Name, v.Value])),
    ...Object.fromEntries((JSON.parse(action.Configuration!.EnvironmentVariables ?? '[]') as { name: string; value: string }[]).map((v) => [v.name, v.value])),
  });
  const stageNamed = (name: string) => stages.find((s) => s.Name === name)!;

  test('passes every gate with no open finding', () => {
    expect(synthError).toBeUndefined();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations?: unknown[] }[] };
    expect(report.pluginReports.map((p) => [p.pluginName, (p.violations ?? []).length]).filter(([, open]) => open !== 0)).toEqual([]);
  });

  test('is a V2 pipeline that restarts after it changes itself, with KMS-encrypted artifacts in a versioned, logged bucket', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      RestartExecutionOnUpdate: true,
      ArtifactStore: { Type: 'S3', EncryptionKey: { Type: 'KMS', Id: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'pipeline-artifacts/' }),
    });
  });

  test('runs source, synth, self-mutation, assets, dev with its check, then prod behind a manual approval', () => {
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Dev', 'Prod']);
    const [source] = stageNamed('Source').Actions;
    expect(source.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(source.Configuration).toMatchObject({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'acme/shop', BranchName: 'release' });
    expect(stageNamed('UpdatePipeline').Actions.map((a) => a.Name)).toEqual(['SelfMutate']);

    const dev = stageNamed('Dev').Actions;
    const check = dev.find((a) => a.Name === 'EdgeCheck')!;
    expect(Math.max(...dev.filter((a) => a.Name.endsWith('.Deploy')).map((a) => a.RunOrder))).toBeLessThan(check.RunOrder);
    expect(dev.filter((a) => a.ActionTypeId.Category === 'Approval')).toEqual([]);

    const prod = stageNamed('Prod').Actions;
    const approval = prod.filter((a) => a.ActionTypeId.Category === 'Approval');
    expect(approval.map((a) => a.Name)).toEqual(['PromoteToProduction']);
    expect(approval[0].Configuration!.CustomData).toBe('Promote commit #{Source@acme_shop.CommitId} from dev (checked) to prod?');
    for (const action of prod.filter((a) => a !== approval[0])) expect(action.RunOrder).toBeGreaterThan(approval[0].RunOrder);
    expect(prod.filter((a) => a.Name.endsWith('.Deploy')).map((a) => a.Name.split('.')[0]).sort()).toEqual(['shop-prod-edge', 'shop-prod-kubernetes', 'shop-prod-network', 'shop-prod-observability', 'shop-prod-services', 'shop-prod-shared']);
  });

  test('the synth step installs, runs the tests, and synthesizes the pipeline app (with the gates) for the commit', () => {
    const synth = stageNamed('Build').Actions[0];
    const buildSpec = JSON.parse(projectOf(synth).Properties.Source.BuildSpec);
    const commands: string[] = buildSpec.phases.build.commands;
    expect(commands.slice(0, 2)).toEqual(['npm ci', 'npm test']);
    expect(commands[2]).toMatch(/^npx cdk synth --app "npx tsx pipelines\/app\.ts" --output cdk\.out\/pipeline/);
    expect(commands[2]).toContain(`-c ${PIPELINE_CONTEXT.imageTag}="$COMMIT_ID"`);
    // The pipeline app registers the gates, so an open finding fails this command (and the build).
    expect(fs.readFileSync(path.join(__dirname, '../../pipelines/create-pipeline-app.ts'), 'utf8')).toMatch(/newGatedApp\(options\)/);
    expect(variablesOf(synth)).toMatchObject({ COMMIT_ID: '#{Source@acme_shop.CommitId}', PIPELINE_REPOSITORY: 'acme/shop', PIPELINE_BRANCH: 'release', PIPELINE_CONNECTION_ARN: CONNECTION_ARN });
  });

  test('the dev check calls the dev edge without a token, from the edge stack\'s output', () => {
    const check = stageNamed('Dev').Actions.find((a) => a.Name === 'EdgeCheck')!;
    expect(variablesOf(check)).toEqual({ EDGE_URL: expect.stringMatching(/^#\{shoppipelineDevshopdevedge\w+\.EdgeUrl\}$/), CHECK_PATH: 'orders/pipeline-check' });
    expect(JSON.parse(projectOf(check).Properties.Source.BuildSpec).phases.build.commands).toEqual(['bash pipelines/scripts/check-edge.sh']);
    // The script comes from the source checkout.
    expect(check.Configuration!.PrimarySource ?? (check as unknown as { InputArtifacts: { Name: string }[] }).InputArtifacts[0].Name).toMatch(/acme_shop_Source/);
  });

  test('each container image is built (dev) or promoted (prod) on arm64 before its services stack, and may push only to its repository', () => {
    for (const [stage, env, source] of [['Dev', 'dev', undefined], ['Prod', 'prod', 'shop/dev/catalog']] as const) {
      const actions = stageNamed(stage).Actions;
      const image = actions.find((a) => a.Name === `shop-${env}-services.${stage}-catalog-image`)!;
      expect(image.RunOrder).toBeLessThan(actions.find((a) => a.Name === `shop-${env}-services.Prepare`)!.RunOrder);
      expect(image.RunOrder).toBeGreaterThan(actions.find((a) => a.Name === `shop-${env}-shared.Deploy`)!.RunOrder);
      const project = projectOf(image).Properties;
      expect(project.Environment).toMatchObject({ Type: 'ARM_CONTAINER', PrivilegedMode: true });
      const variables = variablesOf(image);
      expect(variables).toMatchObject({ REPOSITORY_NAME: `shop/${env}/catalog`, IMAGE_TAG: '0123abc' });
      if (source) expect(variables.SOURCE_REPOSITORY).toBe(source);
      else expect(variables).toMatchObject({ BUILD_CONTEXT: '.', DOCKERFILE: 'services/catalog/Dockerfile' });

      const statements = statementsOfRole(template, project.ServiceRole['Fn::GetAtt'][0]);
      const push = statements.find((s) => asList(s.Action).includes('ecr:PutImage'))!;
      expect(asList(push.Resource).map(arnText)).toEqual([`arn:\${AWS::Partition}:ecr:\${AWS::Region}:\${AWS::AccountId}:repository/shop/${env}/catalog`]);
      const ecrStatements = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('ecr:')));
      for (const statement of ecrStatements) {
        if (JSON.stringify(statement.Resource) === '"*"') expect(statement.Action).toEqual('ecr:GetAuthorizationToken');
      }
    }
  });

  test('every build logs to the pipeline\'s encrypted log group, kept two years, and encrypts its output with the pipeline\'s key', () => {
    const [logGroup] = Object.entries(template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 731 } }));
    expect(logGroup[1].Properties.KmsKeyId).toBeDefined();
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBeGreaterThan(5);
    for (const project of projects) {
      expect(project.Properties.LogsConfig.CloudWatchLogs).toMatchObject({ Status: 'ENABLED', GroupName: { Ref: logGroup[0] } });
      expect(project.Properties.EncryptionKey).toBeDefined();
    }
  });

  test('the stages deploy the services from the pushed images, tagged with the commit', () => {
    const services = Template.fromStack(pipeline.testStage.stacks.services);
    const [task] = Object.values(services.findResources('AWS::ECS::TaskDefinition'));
    const app = task.Properties.ContainerDefinitions.find((c: Resource) => c.Name === 'app');
    const image = JSON.stringify(app.Image);
    expect(image).toContain('"Fn::ImportValue":"shop-dev-shared:ExportsOutputRefImageRepositoriescatalogRepository');
    expect(image).toMatch(/":0123abc"\]\]\}$/);
  });
});

describe('the pipeline settings come from context', () => {
  const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;

  test('every missing or malformed key is named in one error', () => {
    let error: unknown;
    try {
      pipelineSourceFromContext(nodeWith({ [PIPELINE_CONTEXT.connectionArn]: 'arn:aws:s3:::bucket' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PipelineSettingsError);
    expect((error as PipelineSettingsError).problems).toEqual([
      "context 'pipeline:repository' is missing; expected the repository as owner/name",
      "context 'pipeline:connectionArn' is 'arn:aws:s3:::bucket'; expected the ARN of a CodeConnections connection (arn:aws:codeconnections:<region>:<account>:connection/<id>)",
    ]);
    expect((error as Error).message).toMatch(/-c pipeline:repository=owner\/name/);
  });

  test('the branch defaults to main; an older CodeStar Connections ARN is accepted', () => {
    const legacy = 'arn:aws:codestar-connections:us-east-1:123456789012:connection/12345678-1234-1234-1234-123456789012';
    expect(pipelineSourceFromContext(nodeWith({ [PIPELINE_CONTEXT.repository]: 'acme/shop', [PIPELINE_CONTEXT.connectionArn]: legacy }))).toEqual({ repository: 'acme/shop', branch: 'main', connectionArn: legacy });
  });

  test('the pipeline app refuses to start without them', () => {
    expect(() => createPipelineApp({ gates: false })).toThrow(/context 'pipeline:repository' is missing/);
  });
});
