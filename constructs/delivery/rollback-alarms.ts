import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { LambdaMicroservice } from '../compute/lambda-microservice';
import type { FargateMicroservice } from '../containers/fargate-microservice';
import type { KubernetesPlatform } from '../kubernetes/kubernetes-platform';

/** Errors (or 5xx answers) in one minute at which a rollout is stopped and rolled back. */
export const ROLLBACK_ERROR_THRESHOLD = 5;

/**
 * The alarm a Lambda service's canary rolls back on: the function errors of its `live` alias (both
 * versions while traffic is split) reach the threshold within a minute. Notifies the topic.
 */
export function lambdaErrorAlarm(scope: Construct, id: string, service: LambdaMicroservice, topic: sns.ITopic): cloudwatch.Alarm {
  return notify(topic, new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${service.functionName}: ${ROLLBACK_ERROR_THRESHOLD} or more errors in a minute through the live alias; a canary deployment in progress rolls back`,
    metric: service.alias.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
    threshold: ROLLBACK_ERROR_THRESHOLD,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
}

/**
 * The alarm a Fargate service's blue/green deployment rolls back on: its tasks answer 5xx at the
 * threshold within a minute (both target groups, through the one load balancer). Notifies the topic.
 */
export function fargateErrorAlarm(scope: Construct, id: string, service: FargateMicroservice, topic: sns.ITopic): cloudwatch.Alarm {
  return notify(topic, new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${service.serviceName}: its tasks answered ${ROLLBACK_ERROR_THRESHOLD} or more 5xx in a minute; a blue/green deployment in progress rolls back`,
    metric: service.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
    threshold: ROLLBACK_ERROR_THRESHOLD,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
}

/**
 * A cluster-wide alarm for the kubernetes services (which have no per-service metrics yet): pods that
 * the scheduler cannot place for three minutes running, from the EKS control-plane metrics. Notifies the topic.
 */
export function unschedulablePodsAlarm(scope: Construct, id: string, kubernetes: KubernetesPlatform, topic: sns.ITopic): cloudwatch.Alarm {
  return notify(topic, new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${kubernetes.cluster.clusterName}: pods could not be scheduled for three minutes running; an experiment on the kubernetes services stops`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/EKS',
      metricName: 'scheduler_pending_pods_UNSCHEDULABLE',
      dimensionsMap: { ClusterName: kubernetes.cluster.clusterName },
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 1,
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
}

function notify(topic: sns.ITopic, alarm: cloudwatch.Alarm): cloudwatch.Alarm {
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  alarm.addOkAction(new cwActions.SnsAction(topic));
  return alarm;
}
