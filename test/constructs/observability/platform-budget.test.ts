import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MicroservicePlatform } from '../../../constructs/platform';
import { PlatformSpecError } from '../../../constructs/model/errors';
import { AlertTopic } from '../../../constructs/observability/alert-topic';
import { PlatformBudget } from '../../../constructs/observability/platform-budget';
import { DEV_PROFILE, PROD_PROFILE } from '../../../constructs/profile';
import { newApp, newStack } from '../helpers';
import { payments } from '../../../services/payments/service';

function budgetIn(stack: Stack, props: Partial<ConstructorParameters<typeof PlatformBudget>[2]> = {}): { budget: PlatformBudget; alerts: AlertTopic } {
  const alerts = new AlertTopic(stack, 'Alerts', { topicName: 'acme-dev-alerts' });
  const budget = new PlatformBudget(stack, 'Budget', { budgetName: 'acme-dev-monthly', monthlyLimitUsd: 250, alertTopic: alerts, costTags: { platform: 'acme', environment: 'dev' }, ...props });
  return { budget, alerts };
}

describe('PlatformBudget', () => {
  const stack = newStack();
  const { alerts } = budgetIn(stack);
  const template = Template.fromStack(stack);
  const topicRef = { Ref: stack.getLogicalId(alerts.topic.node.defaultChild as never) };

  test('is a monthly cost budget of the limit over the resources carrying every platform tag', () => {
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'acme-dev-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 250, Unit: 'USD' },
        FilterExpression: {
          And: [
            { Tags: { Key: 'platform', Values: ['acme'], MatchOptions: ['EQUALS'] } },
            { Tags: { Key: 'environment', Values: ['dev'], MatchOptions: ['EQUALS'] } },
          ],
        },
      },
    });
  });

  test('alerts the alert topic when the forecast, and when the actual cost, passes the limit', () => {
    const [budget] = Object.values(template.findResources('AWS::Budgets::Budget'));
    const notifications = budget.Properties.NotificationsWithSubscribers as { Notification: Record<string, unknown>; Subscribers: unknown[] }[];
    expect(notifications.map((n) => n.Notification)).toEqual([
      { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
      { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
    ]);
    for (const n of notifications) expect(n.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: topicRef }]);
  });

  test('opens the encrypted topic and its key to AWS Budgets of this account only', () => {
    const conditions = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::', { Ref: 'AWS::AccountId' }, ':*']] } },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'BudgetsOfThisAccount', Principal: { Service: 'budgets.amazonaws.com' }, Action: 'sns:Publish', Resource: topicRef, Condition: conditions })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'BudgetsPublish', Principal: { Service: 'budgets.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: conditions })]) },
    });
  });

  test('one tag is a filter of its own; two budgets on one topic open it once', () => {
    const other = newStack();
    const { alerts: topic } = budgetIn(other, { costTags: { team: 'payments' } });
    new PlatformBudget(other, 'Second', { budgetName: 'acme-dev-second', monthlyLimitUsd: 10, alertTopic: topic, costTags: { team: 'payments' }, forecastThresholdPercent: 80 });
    const t = Template.fromStack(other);
    const budgets = Object.values(t.findResources('AWS::Budgets::Budget'));
    expect(budgets.map((b) => b.Properties.Budget.FilterExpression)).toEqual([
      { Tags: { Key: 'team', Values: ['payments'], MatchOptions: ['EQUALS'] } },
      { Tags: { Key: 'team', Values: ['payments'], MatchOptions: ['EQUALS'] } },
    ]);
    expect(budgets[1].Properties.NotificationsWithSubscribers[0].Notification.Threshold).toBe(80);
    const [policy] = Object.values(t.findResources('AWS::SNS::TopicPolicy'));
    expect(policy.Properties.PolicyDocument.Statement.filter((s: { Sid?: string }) => s.Sid === 'BudgetsOfThisAccount')).toHaveLength(1);
  });

  test.each([
    ['monthlyLimitUsd', { monthlyLimitUsd: 0 }, /monthlyLimitUsd.*positive/],
    ['monthlyLimitUsd', { monthlyLimitUsd: Number.NaN }, /monthlyLimitUsd/],
    ['costTags', { costTags: {} }, /costTags.*whole account/],
    ['budgetName', { budgetName: 'a:b' }, /budgetName/],
    ['forecastThresholdPercent', { forecastThresholdPercent: -1 }, /forecastThresholdPercent/],
  ])('refuses a bad %s', (_field, props, message) => {
    expect(() => budgetIn(newStack(), props)).toThrow(message);
  });
});

describe('MicroservicePlatform: a budget per platform and environment', () => {
  test("comes from the profile's monthly budget, tags everything it makes with the platform and environment, and alerts the platform's topic", () => {
    const app = newApp();
    const stacks = { network: new Stack(app, 'network'), shared: new Stack(app, 'shared'), services: new Stack(app, 'services'), observability: new Stack(app, 'observability') };
    const platform = new MicroservicePlatform(app, 'Platform', { platformName: 'acme', profile: PROD_PROFILE, services: [payments], placement: stacks });
    const shared = Template.fromStack(stacks.shared);
    shared.hasResourceProperties('AWS::Budgets::Budget', { Budget: { BudgetName: 'acme-prod-monthly', BudgetLimit: { Amount: PROD_PROFILE.monthlyBudgetUsd } } });
    expect(platform.budget).toBeDefined();
    // The budget counts what carries both tags, so everything the platform makes must carry them.
    for (const stack of Object.values(stacks)) {
      const taggable = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue')).concat(Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')), Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPC')));
      for (const resource of taggable) expect(resource.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'platform', Value: 'acme' }, { Key: 'environment', Value: 'prod' }]));
    }
    expect(Object.values(stacks).flatMap((s) => Object.values(Template.fromStack(s).findResources('AWS::Lambda::Function'))).length).toBeGreaterThan(0);
  });

  test('a profile without a budget makes none; a bad budget fails the validation pass before anything is made', () => {
    const stack = newStack();
    const { monthlyBudgetUsd: _none, ...unbudgeted } = DEV_PROFILE;
    const platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'acme', profile: unbudgeted, services: [payments] });
    expect(platform.budget).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Budgets::Budget', 0);

    const bad = newStack();
    let error: unknown;
    try {
      new MicroservicePlatform(bad, 'Platform', { platformName: 'acme', profile: { ...DEV_PROFILE, monthlyBudgetUsd: -5 }, services: [payments] });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PlatformSpecError);
    expect((error as Error).message).toMatch(/monthlyBudgetUsd.*-5/);
    expect(bad.node.findAll().filter((c) => c.node.id === 'Network')).toEqual([]);
  });
});
