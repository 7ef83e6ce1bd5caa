import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { referToKeyByAlias } from '../security/encryption-key';

/** Props of a DeadLetterQueue. */
export interface DeadLetterQueueProps {
  /** Key that encrypts the messages. */
  readonly encryptionKey: kms.IKey;
  /** Topic the alarm notifies when the queue holds a message. */
  readonly alarmTopic: sns.ITopic;
  /** What the messages are, for the alarm's description, e.g. `Messages for shop-dev-inventory failed 3 times`. */
  readonly description: string;
  /**
   * EventBridge sends to it (as a rule target's dead-letter queue), so the key must let EventBridge encrypt.
   * @default false
   */
  readonly receivesFromEventBridge?: boolean;
  /**
   * Remove the queue when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The last store of messages that failed: an encrypted queue that keeps them 14 days, with an
 * alarm that notifies a topic as soon as it holds one.
 */
export class DeadLetterQueue extends Construct {
  /** The queue. */
  public readonly queue: sqs.Queue;
  /** Fires when the queue holds a message. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    referToKeyByAlias(this.queue.node.defaultChild as sqs.CfnQueue, 'KmsMasterKeyId', props.encryptionKey);
    if (props.receivesFromEventBridge) {
      props.encryptionKey.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:GenerateDataKey', 'kms:Decrypt');
    }
    acknowledgeTerminalQueue(this.queue, 'This queue is itself a dead-letter queue, the last store of messages that failed, watched by an alarm; a further queue behind it would only move the same messages.');
    this.alarm = alarmWhenNotEmpty(this, 'Alarm', this.queue, props.alarmTopic, `${props.description}; they wait in the dead-letter queue`);
  }
}

/** An alarm, with an action on the topic, that fires as soon as the queue holds a message. */
export function alarmWhenNotEmpty(scope: Construct, id: string, queue: sqs.IQueue, topic: sns.ITopic, description: string): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  alarm.addOkAction(new cwActions.SnsAction(topic));
  return alarm;
}

/** Acknowledges, with the reason, the gates that want a queue to have a dead-letter queue of its own, on a queue that is the last store. */
export function acknowledgeTerminalQueue(queue: Construct, reason: string): void {
  for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy', 'cdk-validator-cfnguard::sqs_dlq_check']) {
    Validations.of(queue).acknowledge({ id, reason });
  }
}
