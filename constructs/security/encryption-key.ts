import { type CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of an EncryptionKey. */
export interface EncryptionKeyProps {
  /** What the key protects, shown in the KMS console. */
  readonly description: string;
  /**
   * Let CloudWatch Logs in this account and region encrypt log groups with the key.
   * @default true
   */
  readonly allowCloudWatchLogs?: boolean;
  /**
   * Keep the key when the stack is deleted.
   * @default false
   */
  readonly retain?: boolean;
  /**
   * Waiting period before a deleted key is gone.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
  /**
   * An alias of the key (`alias/...`). Resources in other stacks that take a key by alias (SQS
   * queues) then name it by this literal instead of a cross-stack import (see `referToKeyByAlias`).
   * @default - no alias
   */
  readonly aliasName?: string;
}

/** The alias of each key made with one, by key. */
const ALIASES = new WeakMap<kms.IKey, string>();

/**
 * Makes a resource in another stack than its key name the key by its alias, a literal, rather than by
 * an imported ARN, which the guard rules cannot follow (they accept a literal or a reference within
 * the template); the resource's stack then deploys after the key's. Does nothing when the key has no
 * alias or sits in the same stack. `property` is the resource's key property, e.g. `KmsMasterKeyId`.
 */
export function referToKeyByAlias(resource: CfnResource, property: string, key: kms.IKey): void {
  const aliasName = ALIASES.get(key);
  const keyStack = Stack.of(key);
  const resourceStack = Stack.of(resource);
  if (aliasName === undefined || keyStack === resourceStack) return;
  resource.addPropertyOverride(property, aliasName);
  resourceStack.addStackDependency(keyStack, `${resource.node.path} names its key by alias`);
}

/**
 * A customer-managed KMS key with rotation, a policy that lets only AWS services create grants,
 * and (by default) the statement CloudWatch Logs needs to encrypt this account's log groups.
 */
export class EncryptionKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (props.aliasName !== undefined) {
      this.key.addAlias(props.aliasName);
      ALIASES.set(this.key, props.aliasName);
    }
    // Grants are how services such as DynamoDB use a key on a caller's behalf; nobody else needs them.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GrantsOnlyForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
    if (props.allowCloudWatchLogs ?? true) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsOfThisAccount',
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
          },
        }),
      );
    }
  }
}
