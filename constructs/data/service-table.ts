import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TableSpec } from '../model/service-spec';

/** What a service table is made from. */
export interface ServiceTableOptions {
  /** The spec's table. */
  readonly table: TableSpec;
  /** The service's own key. */
  readonly encryptionKey: kms.IKey;
  /** Keep the table when the stack is deleted, and protect it from deletion. */
  readonly retain: boolean;
}

/**
 * A service's own table (database per service), made directly in `scope` under `id`: on-demand,
 * encrypted with the service's key, point-in-time recovery on, protected and retained when asked.
 */
export function createServiceTable(scope: Construct, id: string, options: ServiceTableOptions): dynamodb.Table {
  const { table, retain } = options;
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: table.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: table.sortKey ? { name: table.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
    timeToLiveAttribute: table.timeToLiveAttribute,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: options.encryptionKey,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: retain,
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

/** Lets the grantee read and write items (no scans, no table admin) and use the key for them. */
export function grantServiceTable(table: dynamodb.ITable, encryptionKey: kms.IKey, grantee: iam.IGrantable): void {
  table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem');
  encryptionKey.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
}
