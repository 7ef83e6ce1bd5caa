import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';

/** The shortest retention the Control Tower log rules accept. */
const MIN_RETENTION_DAYS = 365;

/** Props of an EncryptedLogGroup. */
export interface EncryptedLogGroupProps {
  /** Key that encrypts the log data; its policy must let CloudWatch Logs use it. */
  readonly encryptionKey: kms.IKey;
  /**
   * How long log events are kept; at least one year.
   * @default RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retain?: boolean;
  /**
   * Explicit log group name (needed where a service writes to a fixed name, such as Lambda).
   * @default - a generated name
   */
  readonly logGroupName?: string;
}

/** A log group that is always KMS-encrypted and kept for at least a year. */
export class EncryptedLogGroup extends Construct {
  /** The log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    const retention = props.retention ?? logs.RetentionDays.ONE_YEAR;
    if (retention < MIN_RETENTION_DAYS) {
      throw ConstructPropError.of(this, 'retention', `is ${retention} days; log groups keep events at least ${MIN_RETENTION_DAYS} days`);
    }
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (Stack.of(props.encryptionKey) !== Stack.of(this)) {
      Validations.of(this.logGroup).acknowledge({
        id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
        reason: 'Encrypted with a key of another stack, whose ARN reaches this one as an import, which the guard rule cannot read (it accepts only literal strings or plain references).',
      });
    }
  }
}
