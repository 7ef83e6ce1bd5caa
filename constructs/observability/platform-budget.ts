import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import type { AlertTopic } from './alert-topic';

/** Props of a PlatformBudget. */
export interface PlatformBudgetProps {
  /** Name of the budget, unique in the account, e.g. `shop-dev-monthly`. */
  readonly budgetName: string;
  /** What the platform may cost in a month, in USD. */
  readonly monthlyLimitUsd: number;
  /** Where the alerts go; the topic is opened to AWS Budgets of this account (its key too). */
  readonly alertTopic: AlertTopic;
  /**
   * The cost allocation tags that make up the platform's cost: only resources carrying every one
   * count. The tags must be activated as cost allocation tags in the Billing console before AWS
   * Budgets sees them.
   */
  readonly costTags: Readonly<Record<string, string>>;
  /**
   * Alert when the month's forecast passes this share of the limit (percent).
   * @default 100
   */
  readonly forecastThresholdPercent?: number;
  /**
   * Also alert when the actual cost passes this share of the limit (percent).
   * @default 100
   */
  readonly actualThresholdPercent?: number;
}

/**
 * A monthly cost budget of one platform and environment: AWS Budgets counts the cost of the
 * resources carrying the platform's tags, and notifies the platform's alert topic when the month's
 * forecast, or the actual cost, passes its share of the limit.
 */
export class PlatformBudget extends Construct {
  /** The budget. */
  public readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: PlatformBudgetProps) {
    super(scope, id);
    if (!Number.isFinite(props.monthlyLimitUsd) || props.monthlyLimitUsd <= 0) {
      throw ConstructPropError.of(this, 'monthlyLimitUsd', `is ${props.monthlyLimitUsd}; expected a positive amount of USD`);
    }
    if (!/^[^:\\]{1,100}$/.test(props.budgetName)) {
      throw ConstructPropError.of(this, 'budgetName', `'${props.budgetName}' must be 1 to 100 characters without ':' or '\\'`);
    }
    const tags = Object.entries(props.costTags);
    if (tags.length === 0) throw ConstructPropError.of(this, 'costTags', 'is empty; a budget without tags would count the whole account, not the platform');
    const percent = (field: string, value: number) => {
      if (!Number.isFinite(value) || value <= 0 || value > 1000) throw ConstructPropError.of(this, field, `is ${value}; expected a share of the limit from 1 to 1000 percent`);
      return value;
    };
    const forecast = percent('forecastThresholdPercent', props.forecastThresholdPercent ?? 100);
    const actual = percent('actualThresholdPercent', props.actualThresholdPercent ?? 100);

    props.alertTopic.allowPublishFromBudgets();
    const subscribers = [{ subscriptionType: 'SNS', address: props.alertTopic.topic.topicArn }];
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
        // Every tag must match (a resource of another environment of the same platform does not count).
        filterExpression: tags.length === 1 ? tagExpression(tags[0]) : { and: tags.map(tagExpression) },
      },
      notificationsWithSubscribers: [
        { notification: { notificationType: 'FORECASTED', comparisonOperator: 'GREATER_THAN', threshold: forecast, thresholdType: 'PERCENTAGE' }, subscribers },
        { notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold: actual, thresholdType: 'PERCENTAGE' }, subscribers },
      ],
    });
  }
}

/** A cost filter that keeps what carries the tag with exactly this value. */
function tagExpression([key, value]: [string, string]): budgets.CfnBudget.ExpressionProperty {
  return { tags: { key, values: [value], matchOptions: ['EQUALS'] } };
}
