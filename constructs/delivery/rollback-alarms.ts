import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DeployedService } from '../runtimes/service-runtime';

/** Errors (or 5xx answers) in one minute at which a rollout is stopped and rolled back. */
export const ROLLBACK_ERROR_THRESHOLD = 5;

/**
 * The alarm a service's rollouts roll back on, whatever its runtime: the failed requests its runtime
 * counts (`metricErrors`: function errors through a Lambda's live alias, 5xx answers of Fargate
 * tasks, 5xx reported by kubernetes pods) reach the threshold within a minute. Made in `scope`
 * (usually the service itself, so it deploys with it); notifies the topic.
 */
export function serviceErrorAlarm(scope: Construct & DeployedService, id: string, topic: sns.ITopic): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${scope.deployedName}: ${ROLLBACK_ERROR_THRESHOLD} or more errors (failed invocations or 5xx answers) in a minute; a rollout in progress rolls back, and its chaos experiments stop`,
    metric: scope.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
    threshold: ROLLBACK_ERROR_THRESHOLD,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  alarm.addOkAction(new cwActions.SnsAction(topic));
  return alarm;
}
