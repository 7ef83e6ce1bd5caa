import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import type { EncryptionKey } from '../security/encryption-key';
import { createEncryptedAlarmTopic } from './encrypted-alarm-topic';

/** Props of an AlertTopic. */
export interface AlertTopicProps {
  /** Name of the topic, e.g. `shop-dev-alerts`. */
  readonly topicName: string;
  /**
   * Email addresses subscribed to the alerts (each must confirm its subscription).
   * @default - none; subscribe a chat or paging integration yourself
   */
  readonly emails?: readonly string[];
  /**
   * Keep the key when the stack is deleted.
   * @default false
   */
  readonly retain?: boolean;
}

/**
 * Where every alarm of the platform sends its state changes: an SNS topic encrypted with a key of
 * its own that CloudWatch alarms may use, and a policy that refuses any publish or subscribe not
 * made over TLS.
 */
export class AlertTopic extends Construct {
  /** The topic. */
  public readonly topic: sns.Topic;
  /** The key that encrypts its messages. */
  public readonly encryptionKey: EncryptionKey;
  private budgetsAllowed = false;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(props.topicName)) {
      throw ConstructPropError.of(this, 'topicName', `'${props.topicName}' must be 1 to 256 letters, digits, hyphens or underscores`);
    }
    for (const email of props.emails ?? []) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw ConstructPropError.of(this, 'emails', `'${email}' is not an email address`);
    }
    ({ topic: this.topic, encryptionKey: this.encryptionKey } = createEncryptedAlarmTopic(this, {
      purpose: `the alerts on ${props.topicName}`,
      displayName: `Alerts of ${props.topicName}`,
      topicName: props.topicName,
      retain: props.retain,
    }));
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }

  /** Lets AWS Budgets of this account publish to the topic and use its key (once, however often it is asked). */
  public allowPublishFromBudgets(): void {
    if (this.budgetsAllowed) return;
    this.budgetsAllowed = true;
    const account = Stack.of(this).account;
    const budgetsService = new iam.ServicePrincipal('budgets.amazonaws.com');
    const conditions = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${Stack.of(this).partition}:budgets::${account}:*` } };
    this.encryptionKey.key.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'BudgetsPublish', principals: [budgetsService], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'BudgetsOfThisAccount', principals: [budgetsService], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions }),
    );
  }
}
