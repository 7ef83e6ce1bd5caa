import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EncryptionKey } from '../security/encryption-key';

/** What an encrypted alarm topic is made with. */
export interface EncryptedAlarmTopicOptions {
  /** What the key protects, for its description, e.g. `the messaging alarms of shop-dev-events`. */
  readonly purpose: string;
  /** The topic's display name (at most 100 characters). */
  readonly displayName: string;
  /** The topic's name. @default - a generated name */
  readonly topicName?: string;
  /** Keep the key when the stack is deleted. @default false */
  readonly retain?: boolean;
}

/**
 * A topic for CloudWatch alarm actions, encrypted with a key of its own that CloudWatch (of this
 * account only) may use, and that only CloudWatch alarms of this account may publish to. Made as
 * `Key` and `Alarms` directly in `scope`.
 */
export function createEncryptedAlarmTopic(scope: Construct, options: EncryptedAlarmTopicOptions): { topic: sns.Topic; encryptionKey: EncryptionKey } {
  const account = Stack.of(scope).account;
  // Its own key: its policy lets CloudWatch (and, for the platform's topic, Budgets) of the account use
  // it, which no key of the services' data should allow.
  const encryptionKey = new EncryptionKey(scope, 'Key', { description: `Encrypts ${options.purpose}`, allowCloudWatchLogs: false, retain: options.retain });
  // CloudWatch alarms publish to the encrypted topic, so the alarm service must use the key.
  encryptionKey.key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }),
  );
  const topic = new sns.Topic(scope, 'Alarms', {
    topicName: options.topicName,
    displayName: options.displayName,
    masterKey: encryptionKey.key,
    enforceSSL: true,
  });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }),
  );
  return { topic, encryptionKey };
}
