import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaCanaryDeployment } from '../../../constructs/delivery/lambda-canary-deployment';
import { MicroservicePlatform } from '../../../constructs/platform';
import { catalog, sagas } from '../../../services';
import { orders } from '../../../services/orders/service';
import { logicalIds, newStack, newStackWithObservabilityAside } from '../helpers';

describe('safe deployments of the demo platform (one stack, observability aside)', () => {
  let template: Template;
  let platform: MicroservicePlatform;
  beforeAll(() => {
    const { stack, placement } = newStackWithObservabilityAside();
    platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: catalog, sagas, placement });
    template = Template.fromStack(stack);
  });
  const aliasOf = (service: string) => {
    const [fn] = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: `shop-dev-${service}` });
    return logicalIds(template, 'AWS::Lambda::Alias', { Name: 'live', FunctionName: { Ref: fn } })[0];
  };

  test('every Lambda service has a canary deployment group: 10% for five minutes, rolled back on its error alarm, a failure or a stop', () => {
    const lambdaServices = catalog.filter((s) => s.runtime === 'lambda').map((s) => s.name);
    expect([...platform.canaryDeployments.keys()]).toEqual(lambdaServices);
    for (const service of lambdaServices) {
      const [alarm] = logicalIds(template, 'AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp(`^shop-dev-${service}: .*errors`) });
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
        AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: alarm } }] },
        AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']) },
      });
      // CloudFormation hands the alias's update to CodeDeploy, so a new version shifts in as a canary.
      const alias = template.findResources('AWS::Lambda::Alias')[aliasOf(service)];
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate).toBeDefined();
    }
  });

  test('the rollback alarms watch the errors of the live alias and notify an encrypted topic', () => {
    const [, alarm] = Object.entries(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmDescription: Match.stringLikeRegexp('^shop-dev-orders: .*errors') } }))[0];
    expect(alarm.Properties).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'Sum', Period: 60, Threshold: 5 });
    // By the literal names of the function and its alias: no reference to the function from elsewhere.
    expect(alarm.Properties.Dimensions).toEqual(expect.arrayContaining([{ Name: 'FunctionName', Value: 'shop-dev-orders' }, { Name: 'Resource', Value: 'shop-dev-orders:live' }]));
    const topics = template.findResources('AWS::SNS::Topic');
    for (const action of alarm.Properties.AlarmActions) {
      expect(topics[action.Ref].Properties.KmsMasterKeyId).toBeDefined();
    }
  });

  test('queues, streams, sagas and the gateway invoke the live alias, never the bare function', () => {
    const functions = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: Match.stringLikeRegexp('^shop-dev-') });
    for (const mapping of Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))) {
      const target = JSON.stringify(mapping.Properties.FunctionName);
      expect(target).toMatch(/LiveAlias/);
      for (const fn of functions) expect(target).not.toContain(`"${fn}"`);
    }
    for (const permission of Object.values(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }))) {
      expect(permission.Properties.FunctionName.Ref).toMatch(/LiveAlias/);
    }
    const [stateMachine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(stateMachine.Properties.DefinitionString);
    for (const service of ['orders', 'inventory', 'payments']) expect(definition).toContain(`"Ref":"${aliasOf(service)}"`);
  });

  test('without messaging, the alarms still notify the platform alert topic, which is encrypted', () => {
    const stack = newStack();
    const lean = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: [{ ...orders, events: undefined, eventSourcing: undefined }] });
    expect(lean.events).toBeUndefined();
    const leanTemplate = Template.fromStack(stack);
    const [topic] = logicalIds(leanTemplate, 'AWS::SNS::Topic', { TopicName: 'shop-dev-alerts', KmsMasterKeyId: Match.anyValue() });
    leanTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topic }], MetricName: 'Errors' });
  });
});

describe('LambdaCanaryDeployment', () => {
  const setUp = () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    const alarm = (id: string) => new cloudwatch.Alarm(stack, id, { metric: alias.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    return { stack, alias, alarm };
  };

  test('watches alarms given later with addRollbackAlarm, and takes another traffic shift', () => {
    const { stack, alias, alarm } = setUp();
    const canary = new LambdaCanaryDeployment(stack, 'Canary', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE });
    canary.addRollbackAlarm(alarm('Errors'));
    canary.addRollbackAlarm(alarm('Latency'));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: logicalIds(template, 'AWS::CloudWatch::Alarm')[0] } }, { Name: { Ref: logicalIds(template, 'AWS::CloudWatch::Alarm')[1] } }] },
    });
    expect(canary.rollbackAlarms).toHaveLength(2);
  });

  test('refuses to synthesize with no alarm to roll back on', () => {
    const { stack, alias } = setUp();
    new LambdaCanaryDeployment(stack, 'Canary', { alias });
    expect(() => Template.fromStack(stack)).toThrow(/'deploymentInAlarm' does not have any effect unless you associate at least one CloudWatch alarm/);
  });
});
