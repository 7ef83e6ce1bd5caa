import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EventBackbone } from '../../../constructs/messaging/event-backbone';
import { asList, logicalIds, newStack, statementsOfRole } from '../helpers';

describe('EventBackbone', () => {
  let template: Template;
  let bus: string;
  let role: string;
  beforeAll(() => {
    const stack = newStack();
    const backbone = new EventBackbone(stack, 'Events', { busName: 'shop-dev-events', archiveRetention: Duration.days(30) });
    backbone.grantPublish(new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    template = Template.fromStack(stack);
    [bus] = logicalIds(template, 'AWS::Events::EventBus');
    [role] = logicalIds(template, 'AWS::IAM::Role');
  });

  test('makes a named bus with an archive of every event on it, for replay', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'shop-dev-events' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [bus, 'Arn'] },
      RetentionDays: 30,
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
    });
  });

  test('alarms go to a KMS-encrypted topic that takes only TLS and that CloudWatch of this account may publish to', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
  });

  test('grantPublish allows PutEvents on this bus only', () => {
    const publish = statementsOfRole(template, role).filter((s) => asList(s.Action).includes('events:PutEvents'));
    expect(publish).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [bus, 'Arn'] } })]);
  });

  test('uses a given alarm topic instead of making one', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Existing');
    const backbone = new EventBackbone(stack, 'Events', { busName: 'shop-dev-events', alarmTopic: topic });
    expect(backbone.alarmTopic).toBe(topic);
    expect(backbone.encryptionKey).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  test.each([
    [{ busName: 'default' }, 'busName', /'default' must be/],
    [{ busName: 'shop dev' }, 'busName', /'shop dev' must be/],
    [{ busName: 'shop-dev-events', archiveRetention: Duration.hours(2) }, 'archiveRetention', /keep events at least one day/],
    [{ busName: 'shop-dev-events', archiveRetention: Duration.hours(36) }, 'archiveRetention', /give whole days/],
  ])('refuses %j naming the prop %s', (props, prop, message) => {
    expect(() => new EventBackbone(newStack(), 'Events', props)).toThrow(new RegExp(`Test/Events: prop '${prop}'`));
    expect(() => new EventBackbone(newStack(), 'Events', props)).toThrow(message);
  });
});
