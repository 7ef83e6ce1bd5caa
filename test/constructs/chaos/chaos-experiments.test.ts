import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ChaosExperiments } from '../../../constructs/chaos/chaos-experiments';
import { MicroservicePlatform } from '../../../constructs/platform';
import { PROD_PROFILE } from '../../../constructs/profile';
import { catalog, sagas } from '../../../services';
import { arnText, asList, logicalIds, newStack, newStackWithObservabilityAside, statementsOfRole } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { [key: string]: any };

describe('chaos experiments of the demo platform (one stack, observability aside)', () => {
  let template: Template;
  let experiments: [string, Resource][];
  beforeAll(() => {
    const { stack, placement } = newStackWithObservabilityAside();
    new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: catalog, sagas, placement });
    template = Template.fromStack(stack);
    experiments = Object.entries(template.findResources('AWS::FIS::ExperimentTemplate'));
  });
  const experimentNamed = (name: string) => experiments.find(([, e]) => e.Properties.Tags.Name === name)![1].Properties;

  test('dev: task stops per container service, pod deletion per kubernetes service, delays and errors per Lambda service', () => {
    // Computed from the catalog: every service gets the experiments of its runtime.
    const expected = catalog.flatMap((spec) =>
      spec.runtime === 'lambda'
        ? [`shop-dev-${spec.name}-lambda-delay`, `shop-dev-${spec.name}-lambda-errors`]
        : spec.runtime === 'fargate'
          ? [`shop-dev-${spec.name}-stop-tasks`]
          : [`shop-dev-${spec.name}-delete-pods`],
    );
    expect(experiments.map(([, e]) => e.Properties.Tags.Name).sort()).toEqual(expected.sort());
    expect(expected).toEqual(expect.arrayContaining(['shop-dev-catalog-stop-tasks', 'shop-dev-orders-lambda-delay', 'shop-dev-pricing-delete-pods']));
  });

  test('the Lambda experiments delay a quarter or fail a tenth of the orders invocations, stopping on its error alarm', () => {
    const [fn] = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: 'shop-dev-orders' });
    const [alarm] = logicalIds(template, 'AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('^shop-dev-orders: .*errors') });
    const delay = experimentNamed('shop-dev-orders-lambda-delay');
    const errors = experimentNamed('shop-dev-orders-lambda-errors');
    for (const experiment of [delay, errors]) {
      expect(experiment.Targets.Functions).toEqual({ ResourceType: 'aws:lambda:function', ResourceArns: [{ 'Fn::GetAtt': [fn, 'Arn'] }], SelectionMode: 'ALL' });
      expect(experiment.StopConditions[0].Value).toEqual({ 'Fn::GetAtt': [alarm, 'Arn'] });
    }
    expect(delay.Actions.AddDelay).toMatchObject({ ActionId: 'aws:lambda:invocation-add-delay', Parameters: { invocationPercentage: '25', startupDelayMilliseconds: '1000', duration: 'PT5M' } });
    expect(errors.Actions.InjectErrors).toMatchObject({ ActionId: 'aws:lambda:invocation-error', Parameters: { invocationPercentage: '10', preventExecution: 'true' } });
  });

  test('a Lambda service carries the FIS extension, pointed at the fault-configuration prefix it alone may read', () => {
    const [fnId] = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: 'shop-dev-orders' });
    const fn = template.findResources('AWS::Lambda::Function')[fnId].Properties;
    expect(fn.Layers).toEqual([{ Ref: expect.stringMatching(/^SsmParameterValueawsservicefislambdaextensionAWSFISextensionarm64/) }]);
    const [bucket] = logicalIds(template, 'AWS::S3::Bucket', { LoggingConfiguration: { LogFilePrefix: 'fault-configurations/' } });
    expect(fn.Environment.Variables).toMatchObject({
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/aws-fis/bootstrap',
      AWS_FIS_CONFIGURATION_LOCATION: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/FisConfigs/']] },
    });
    const statements = statementsOfRole(template, fn.Role['Fn::GetAtt'][0]);
    const s3Statements = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3Statements.map((s) => [asList(s.Action), asList(s.Resource).map(arnText), s.Condition])).toEqual([
      [['s3:ListBucket'], [`\${${bucket}.Arn}`], { StringLike: { 's3:prefix': ['FisConfigs/*'] } }],
      [['s3:GetObject'], [`\${${bucket}.Arn}/FisConfigs/*`], undefined],
    ]);
    const roleId = experimentNamed('shop-dev-orders-lambda-errors').RoleArn['Fn::GetAtt'][0];
    const fisStatements = statementsOfRole(template, roleId);
    expect(fisStatements.find((s) => asList(s.Action).includes('s3:PutObject'))!.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/FisConfigs/*']] });
    expect(fisStatements.find((s) => asList(s.Action).includes('lambda:GetFunction'))!.Resource).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
  });

  test('every experiment stops on a CloudWatch alarm that has an action, and logs to an encrypted group kept a year', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    for (const [, experiment] of experiments) {
      const [condition] = experiment.Properties.StopConditions;
      expect(condition.Source).toBe('aws:cloudwatch:alarm');
      const alarm = alarms[condition.Value['Fn::GetAtt'][0]];
      expect(alarm.Properties.AlarmActions.length).toBeGreaterThan(0);
      const logGroup = template.findResources('AWS::Logs::LogGroup')[experiment.Properties.LogConfiguration.CloudWatchLogsConfiguration.LogGroupArn['Fn::GetAtt'][0]];
      expect(logGroup.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: expect.anything() });
      expect(experiment.Properties.ExperimentOptions.EmptyTargetResolutionMode).toBe('fail');
    }
  });

  test('the Fargate experiment stops half the catalog\'s tasks in dev, stopping on the catalog\'s 5xx alarm', () => {
    const experiment = experimentNamed('shop-dev-catalog-stop-tasks');
    const [alarm] = logicalIds(template, 'AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('^shop-dev-catalog: .*5xx') });
    expect(experiment.StopConditions[0].Value).toEqual({ 'Fn::GetAtt': [alarm, 'Arn'] });
    expect(experiment.Targets.Tasks).toMatchObject({ ResourceType: 'aws:ecs:task', SelectionMode: 'PERCENT(50)', Parameters: { cluster: { Ref: logicalIds(template, 'AWS::ECS::Cluster')[0] }, service: expect.anything() } });
    expect(experiment.Actions.StopTasks.ActionId).toBe('aws:ecs:stop-task');
  });

  test('the Fargate experiment\'s role may stop and list tasks of its cluster only, and is assumed by FIS of this account', () => {
    const roleId = experimentNamed('shop-dev-catalog-stop-tasks').RoleArn['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId].Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0]).toMatchObject({ Principal: { Service: 'fis.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(role.ManagedPolicyArns).toBeUndefined();
    const [cluster] = logicalIds(template, 'AWS::ECS::Cluster');
    const statements = statementsOfRole(template, roleId);
    const ecs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('ecs:')));
    expect(ecs.flatMap((s) => asList(s.Action)).sort()).toEqual(['ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:StopTask']);
    for (const statement of ecs) expect(statement.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [cluster, 'Arn'] } } });
    const stop = ecs.find((s) => asList(s.Action).includes('ecs:StopTask'))!;
    expect(asList(stop.Resource).map(arnText)).toEqual([`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task/\${${cluster}}/*`]);
    const others = statements.filter((s) => !ecs.includes(s)).flatMap((s) => asList(s.Action));
    expect(others.sort()).toEqual(['logs:CreateLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy']);
  });

  test('the kubernetes experiment deletes one pricing pod as the mapped FIS user, with a Role held to the namespace', () => {
    const experiment = experimentNamed('shop-dev-pricing-delete-pods');
    expect(experiment.Targets.Pods).toMatchObject({
      ResourceType: 'aws:eks:pod',
      SelectionMode: 'COUNT(1)',
      Parameters: { namespace: 'shop', selectorType: 'labelSelector', selectorValue: 'app.kubernetes.io/name=pricing' },
    });
    expect(experiment.Actions.DeletePods).toMatchObject({ ActionId: 'aws:eks:pod-delete', Parameters: { kubernetesServiceAccount: 'fis-experiment' } });
    const roleId = experiment.RoleArn['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::EKS::AccessEntry', { PrincipalArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, Username: 'fis-experiment', Type: 'STANDARD' });
    expect(statementsOfRole(template, roleId).flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('eks:'))).toEqual(['eks:DescribeCluster']);
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).map((m) => JSON.stringify(m.Properties.Manifest));
    const rbac = manifests.find((m) => m.includes('RoleBinding') && m.includes('fis-experiment'))!;
    expect(rbac).toBeDefined();
    expect(rbac).not.toContain('ClusterRole');
    expect(rbac).toContain('\\"namespace\\":\\"shop\\"');
  });

  test('the alarm that stops the kubernetes experiment counts the 5xx answers the pricing pods report', () => {
    const [alarmId] = logicalIds(template, 'AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('^shop-dev-pricing: .*5xx') });
    expect(experimentNamed('shop-dev-pricing-delete-pods').StopConditions[0].Value).toEqual({ 'Fn::GetAtt': [alarmId, 'Arn'] });
    const alarm = template.findResources('AWS::CloudWatch::Alarm')[alarmId].Properties;
    expect(alarm.Threshold).toBe(5);
    // A labelled metric is written as a one-metric query.
    const [{ MetricStat: stat }] = alarm.Metrics;
    expect(stat).toMatchObject({ Metric: { Namespace: 'shop', MetricName: 'http.server.request.duration' }, Stat: 'SampleCount', Period: 60 });
    expect(stat.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'service.name', Value: 'shop-dev-pricing' }, { Name: 'http.response.status_class', Value: '5xx' }]));
  });
});

test('prod stops a quarter of the tasks and keeps the FIS extension off its Lambda functions', () => {
  const stack = newStack();
  new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: catalog.filter((s) => s.runtime !== 'kubernetes'), sagas, profile: PROD_PROFILE });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::FIS::ExperimentTemplate', { Targets: { Tasks: Match.objectLike({ SelectionMode: 'PERCENT(25)' }) } });
  template.resourceCountIs('AWS::FIS::ExperimentTemplate', 1);
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: Match.stringLikeRegexp('^shop-prod-') } }))) {
    expect(fn.Properties.Layers).toBeUndefined();
  }
});

describe('ChaosExperiments rejects what it cannot run, naming the construct and prop', () => {
  test.each([
    [{ taskStopPercent: 0 }, /Test\/Chaos: prop 'taskStopPercent' is 0; expected a whole percentage from 1 to 100/],
    [{ podDeleteCount: 1.5 }, /Test\/Chaos: prop 'podDeleteCount' is 1.5/],
  ])('%o', (bad, message) => {
    expect(() => new ChaosExperiments(newStack(), 'Chaos', { namePrefix: 'shop-dev', ...bad })).toThrow(message);
  });

  test('a service the Kubernetes platform does not run', () => {
    const stack = newStack();
    const platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: catalog.filter((s) => s.runtime === 'kubernetes') });
    const chaos = new ChaosExperiments(stack, 'Chaos', { namePrefix: 'shop-dev' });
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: new cloudwatch.Metric({ namespace: 'x', metricName: 'y' }), threshold: 1, evaluationPeriods: 1 });
    expect(() => chaos.addDeleteKubernetesPods(platform.kubernetes!, 'orders', alarm)).toThrow(/Test\/Chaos: prop 'serviceName' 'orders' is not a service of the Kubernetes platform \(pricing\)/);
  });
});
