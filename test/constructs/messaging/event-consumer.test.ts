import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EventConsumer, EventConsumerProps } from '../../../constructs/messaging/event-consumer';
import { logicalIds, newStack } from '../helpers';

function build(overrides: Partial<EventConsumerProps> = {}) {
  const stack = newStack();
  const consumer = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] })'),
    timeout: Duration.seconds(20),
  });
  const props: EventConsumerProps = {
    bus: new events.EventBus(stack, 'Bus'),
    eventTypes: ['OrderConfirmed', 'OrderRejected'],
    consumer,
    consumerTimeout: Duration.seconds(20),
    encryptionKey: new kms.Key(stack, 'Key'),
    alarmTopic: new sns.Topic(stack, 'Alarms'),
    ...overrides,
  };
  return { stack, consumer: new EventConsumer(stack, 'Subscription', props) };
}

describe('EventConsumer', () => {
  let template: Template;
  let queue: string;
  let deadLetters: string;
  beforeAll(() => {
    template = Template.fromStack(build().stack);
    [queue] = logicalIds(template, 'AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
    [deadLetters] = logicalIds(template, 'AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('routes its event types from the bus to its queue, and what the bus cannot deliver to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['OrderConfirmed', 'OrderRejected'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } } })],
    });
  });

  test('the queue is KMS-encrypted, hides a message six times the consumer timeout, and moves it to the dead-letter queue after 3 receives', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      VisibilityTimeout: 120,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 3 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: Match.absent(), KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('both queues refuse requests without TLS, and EventBridge may use the key to deliver', () => {
    expect(Object.keys(template.findResources('AWS::SQS::QueuePolicy', { Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } } }))).toHaveLength(2);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['kms:GenerateDataKey']) })]) },
    });
  });

  test('feeds the consumer with partial batch responses, so one bad message never fails the others', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  test('alarms with an action as soon as the dead-letter queue holds a message', () => {
    const [topic] = logicalIds(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  test('takes a longer visibility timeout', () => {
    const longer = Template.fromStack(build({ visibilityTimeout: Duration.minutes(5) }).stack);
    longer.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 300 });
  });

  test.each([
    [{ visibilityTimeout: Duration.seconds(119) }, 'visibilityTimeout', /is 119 s; it must be at least 6 times the consumer's timeout \(20 s\), i.e. 120 s/],
    [{ eventTypes: [] }, 'eventTypes', /is empty/],
    [{ maxReceiveCount: 0 }, 'maxReceiveCount', /expected a whole number from 1 to 1000/],
    [{ consumerTimeout: Duration.hours(3) }, 'visibilityTimeout', /SQS allows at most 43200 s/],
  ])('refuses %j naming the prop %s', (overrides, prop, message) => {
    expect(() => build(overrides as Partial<EventConsumerProps>)).toThrow(new RegExp(`Test/Subscription: prop '${prop}'`));
    expect(() => build(overrides as Partial<EventConsumerProps>)).toThrow(message);
  });
});
