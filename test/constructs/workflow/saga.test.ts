import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MicroservicePlatform } from '../../../constructs/platform';
import { Saga, SagaProps } from '../../../constructs/workflow/saga';
import { catalog, sagas } from '../../../services';
import { placeOrderSaga } from '../../../services/orders/place-order-saga';
import { arnText, asList, logicalIds, newStack, newStackWithObservabilityAside, statementsOfRole } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type State = { [key: string]: any };
type Definition = { StartAt: string; States: Record<string, State> };

/** The state machine's definition, with function ARNs as `${<logicalId>.Arn}`. */
function definitionOf(template: Template, stateMachine: string): Definition {
  return JSON.parse(arnText(template.findResources('AWS::StepFunctions::StateMachine')[stateMachine].Properties.DefinitionString));
}

/** The names of the states reached from `start` by following `Next`. */
function pathFrom(definition: Definition, start: string): string[] {
  const path: string[] = [];
  for (let name: string | undefined = start; name !== undefined; name = definition.States[name].Next) path.push(name);
  return path;
}

/**
 * What every saga must hold, whatever its steps: the forward steps run in order to Complete; each
 * forward task retries transient errors with backoff and catches everything into the compensation
 * path that starts with its own step's compensation and runs every earlier one in reverse, then
 * Reject; every compensation retries everything and, failing that, ends the execution failed.
 */
function expectCompensationPaths(definition: Definition, steps: readonly string[]): void {
  const forward = [...steps, 'Complete'];
  expect(pathFrom(definition, definition.StartAt)).toEqual([...forward, 'Completed']);
  forward.forEach((name, i) => {
    const state = definition.States[name];
    expect(state.Type).toBe('Task');
    expect(state.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'States.Timeout']), BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' }),
    ]);
    expect(state.Retry[0].ErrorEquals).not.toContain('States.ALL');
    expect(state.Catch).toHaveLength(1);
    expect(state.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.failure' });
    const undone = steps.slice(0, Math.min(i + 1, steps.length)).reverse();
    expect(pathFrom(definition, state.Catch[0].Next)).toEqual([...undone.map((step) => `Compensate${step}`), 'Reject', 'Rejected']);
  });
  for (const name of [...steps.map((step) => `Compensate${step}`), 'Reject']) {
    const state = definition.States[name];
    expect(state.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 6, BackoffRate: 2 })]);
    expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'CompensationFailed' })]);
    expect(state.Parameters['failure.$']).toBe('$.failure');
  }
  expect(definition.States.CompensationFailed.Type).toBe('Fail');
  expect(definition.States.Rejected.Type).toBe('Succeed');
}

describe('the place-order saga, as the platform builds it', () => {
  let template: Template;
  let definition: Definition;
  let stateMachine: string;
  const fn = (service: string) => logicalIds(template, 'AWS::Lambda::Function', { FunctionName: `shop-dev-${service}` })[0];
  const liveAlias = (service: string) => logicalIds(template, 'AWS::Lambda::Alias', { Name: 'live', FunctionName: { Ref: fn(service) } })[0];

  beforeAll(() => {
    const { stack, placement } = newStackWithObservabilityAside();
    new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: catalog, sagas, placement });
    template = Template.fromStack(stack);
    [stateMachine] = logicalIds(template, 'AWS::StepFunctions::StateMachine', { StateMachineName: 'shop-dev-place-order' });
    definition = definitionOf(template, stateMachine);
  });

  test('every task has its catch and compensation path: reserve, charge, confirm; refund then release, then reject', () => {
    expectCompensationPaths(definition, ['ReserveInventory', 'ChargePayment']);
    expect(pathFrom(definition, definition.States.Complete.Catch[0].Next)).toEqual(['CompensateChargePayment', 'CompensateReserveInventory', 'Reject', 'Rejected']);
  });

  test("each task invokes its service's live alias with its action, the starting event's detail and the results so far", () => {
    const expected: Record<string, [string, string]> = {
      ReserveInventory: ['inventory', 'reserveStock'],
      ChargePayment: ['payments', 'chargePayment'],
      Complete: ['orders', 'confirmOrder'],
      CompensateChargePayment: ['payments', 'refundPayment'],
      CompensateReserveInventory: ['inventory', 'releaseStock'],
      Reject: ['orders', 'rejectOrder'],
    };
    for (const [state, [service, action]] of Object.entries(expected)) {
      // The service's live alias is the task's resource (a direct invocation, shifted by its canary), the parameters its payload.
      expect(definition.States[state].Resource).toBe(`\${${liveAlias(service)}}`);
      expect(definition.States[state].Parameters).toMatchObject({ action, 'detail.$': '$.detail', 'results.$': '$.results' });
    }
    expect(definition.States.ReserveInventory.ResultPath).toBe('$.results.ReserveInventory');
    expect(definition.States.ChargePayment.ResultPath).toBe('$.results.ChargePayment');
  });

  test('logs every event with its data to an encrypted group, traces with X-Ray, and encrypts its data with its own key', () => {
    const [group] = logicalIds(template, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/shop-dev-place-order' });
    const [key] = logicalIds(template, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('shop-dev-place-order') });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/shop-dev-place-order', KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, RetentionInDays: 365 });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'shop-dev-place-order',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [group, 'Arn'] } } }] },
      TracingConfiguration: { Enabled: true },
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] } }),
    });
  });

  test('OrderPlaced on the bus starts an execution with { detail, results: {} }; events that cannot start one wait in an alarmed dead-letter queue', () => {
    const [bus] = logicalIds(template, 'AWS::Events::EventBus');
    const [deadLetters] = logicalIds(template, 'AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIds(template, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('shop-dev-place-order') })[0], 'Arn'] } });
    const [rule] = logicalIds(template, 'AWS::Events::Rule', { EventPattern: { 'detail-type': ['OrderPlaced'] } });
    const target = template.findResources('AWS::Events::Rule')[rule].Properties.Targets[0];
    expect(template.findResources('AWS::Events::Rule')[rule].Properties.EventBusName).toEqual({ Ref: bus });
    expect(target).toMatchObject({
      Arn: { Ref: stateMachine },
      InputTransformer: { InputPathsMap: { detail: '$.detail' }, InputTemplate: '{"detail":<detail>,"results":{}}' },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
    });
    // The rule's role may start this state machine and use its key, nothing else.
    const roleId = target.RoleArn['Fn::GetAtt'][0];
    const actions = statementsOfRole(template, roleId).flatMap((s) => asList(s.Action));
    expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'states:StartExecution']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }], AlarmActions: Match.anyValue() });
  });

  test('alarms with an action when an execution fails (a compensation could not run) or times out', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut' })]),
      AlarmActions: [{ Ref: logicalIds(template, 'AWS::SNS::Topic')[0] }],
    });
  });

  test('the demo saga is the one the platform built', () => {
    expect(placeOrderSaga.steps.map((step) => step.name)).toEqual(['ReserveInventory', 'ChargePayment']);
  });
});

describe('Saga', () => {
  function build(overrides: Partial<SagaProps> = {}, stepNames = ['First', 'Second', 'Third']) {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Participant', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    const action = (name: string) => ({ function: fn, action: name });
    const props: SagaProps = {
      stateMachineName: 'shop-dev-three-steps',
      trigger: { bus: new events.EventBus(stack, 'Bus'), eventType: 'ThingRequested' },
      steps: stepNames.map((name) => ({ name, invoke: action(`do${name}`), compensate: action(`undo${name}`) })),
      complete: action('complete'),
      reject: action('reject'),
      alarmTopic: new sns.Topic(stack, 'Alarms'),
      ...overrides,
    };
    return { stack, saga: new Saga(stack, 'Saga', props) };
  }

  test('with three steps, every task still has its catch and its compensations in reverse', () => {
    const template = Template.fromStack(build().stack);
    expectCompensationPaths(definitionOf(template, logicalIds(template, 'AWS::StepFunctions::StateMachine')[0]), ['First', 'Second', 'Third']);
  });

  test('retries the transient errors it is given and as many times as asked', () => {
    const template = Template.fromStack(build({ transientErrors: ['Busy'], maxAttempts: 5, timeout: Duration.minutes(2) }).stack);
    const definition = definitionOf(template, logicalIds(template, 'AWS::StepFunctions::StateMachine')[0]);
    expect(definition.States.First.Retry[0]).toMatchObject({ ErrorEquals: expect.arrayContaining(['Busy']), MaxAttempts: 5 });
    expect(definition.States.First.Retry[0].ErrorEquals).not.toContain('ConcurrencyConflictError');
    expect((definition as unknown as { TimeoutSeconds: number }).TimeoutSeconds).toBe(120);
  });

  test.each([
    [{ steps: [] }, 'steps', /is empty/],
    [{ maxAttempts: 0 }, 'maxAttempts', /expected a whole number from 1 to 10/],
  ])('refuses %j naming the prop %s', (overrides, prop, message) => {
    expect(() => build(overrides as Partial<SagaProps>)).toThrow(new RegExp(`Test/Saga: prop '${prop}'`));
    expect(() => build(overrides as Partial<SagaProps>)).toThrow(message);
  });

  test.each([
    [['First', 'First'], /uses the name 'First' twice/],
    [['Reject'], /uses the name 'Reject' twice/],
    [['lowercase'], /has the step name 'lowercase'; expected PascalCase/],
  ])('refuses the step names %j', (names, message) => {
    expect(() => build({}, names)).toThrow(message);
  });
});
