import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { AccessLogBucket } from '../observability/access-log-bucket';

/** What a private bucket is made with. */
export interface PrivateBucketOptions {
  /** Key that encrypts the objects. */
  readonly encryptionKey: kms.IKey;
  /** Where the bucket's server access logs go. */
  readonly accessLogs: AccessLogBucket;
  /** Prefix of its server access logs, e.g. `pipeline-artifacts/`. */
  readonly accessLogPrefix: string;
  /** How long current objects are kept. */
  readonly expiration: Duration;
  /**
   * Keep every object write-once (Object Lock, governance mode) for this long.
   * @default - Object Lock enabled with no default retention
   */
  readonly writeOnceFor?: Duration;
  /** Keep the bucket when the stack is deleted. @default false */
  readonly retain?: boolean;
}

/**
 * A bucket for working data (pipeline artifacts, fault configurations): KMS-encrypted with a bucket
 * key, TLS 1.2 only, never public, ACLs off, versioned with Object Lock enabled (no default
 * retention, so the lifecycle rule can still expire objects), access-logged, and its object events
 * sent to EventBridge. Made as `id` directly in `scope`.
 */
export function createPrivateBucket(scope: Construct, id: string, options: PrivateBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    objectLockEnabled: true,
    objectLockDefaultRetention: options.writeOnceFor === undefined ? undefined : s3.ObjectLockRetention.governance(options.writeOnceFor),
    lifecycleRules: [{ id: 'expire', expiration: options.expiration, noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: options.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  options.accessLogs.logServerAccessOf(bucket, options.accessLogPrefix);
  // Set on the resource itself, so no helper function is deployed.
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  return bucket;
}
