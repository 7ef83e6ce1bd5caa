import { Aws, CfnCondition, CfnMapping, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';

/** Props of an AccessLogBucket. */
export interface AccessLogBucketProps {
  /**
   * Days access logs are kept (at least a year, like every other log of the platform).
   * @default 365
   */
  readonly retentionDays?: number;
}

/**
 * Where load balancers write their access logs, and where that bucket's own server access logs
 * go. Log data is evidence, so both buckets are versioned, write-once (Object Lock, governance
 * mode, for the retention period), TLS-only, never public, and kept when the stack is deleted.
 *
 * Elastic Load Balancing can deliver access logs only to buckets encrypted with S3-managed keys
 * (SSE-S3), not with KMS keys, so these two buckets use SSE-S3; that is the one way they differ
 * from the platform's other data stores, and it is acknowledged where the rules ask for KMS.
 */
export class AccessLogBucket extends Construct {
  /** Load balancer access logs land here. */
  public readonly bucket: s3.Bucket;
  /** Server access logs of `bucket`. */
  public readonly serverAccessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    const days = props.retentionDays ?? 365;
    if (!Number.isInteger(days) || days < 365 || days > 3650) {
      throw ConstructPropError.of(this, 'retentionDays', `is ${days}; access logs are kept from 365 to 3650 days`);
    }
    const logBucket = (bucketId: string, serverAccessLogsBucket?: s3.Bucket) => {
      const bucket = new s3.Bucket(this, bucketId, {
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        objectLockEnabled: true,
        objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(days)),
        lifecycleRules: [
          { id: 'expire-logs', expiration: Duration.days(days), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ],
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (serverAccessLogsBucket) logServerAccess(bucket, serverAccessLogsBucket, 'access-log-bucket/', 'S3ServerAccessLogDelivery');
      // Object events go to EventBridge (for audit rules), set on the resource itself so no helper function is deployed.
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
      for (const rule of ['s3_bucket_default_encryption_kms_check']) {
        Validations.of(bucket).acknowledge({
          id: `cdk-validator-cfnguard::${rule}`,
          reason: 'Elastic Load Balancing delivers access logs only to buckets encrypted with S3-managed keys (SSE-S3); a KMS key would stop delivery. The bucket is private, TLS-only and write-once.',
        });
      }
      return bucket;
    };
    this.serverAccessLogs = logBucket('ServerAccessLogs');
    for (const id of ['AwsSolutions-S1', 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check']) {
      Validations.of(this.serverAccessLogs).acknowledge({
        id,
        reason: 'This bucket receives the server access logs of the load balancer log bucket; logging it in turn would need a further bucket, and so on without end.',
      });
    }
    this.bucket = logBucket('Bucket', this.serverAccessLogs);
  }

  /**
   * Sends the server access logs of another bucket of the same stack to this one's server access
   * log bucket, under `prefix` (e.g. `failed-documents/`).
   */
  public logServerAccessOf(bucket: s3.Bucket, prefix: string): void {
    logServerAccess(bucket, this.serverAccessLogs, prefix, `S3ServerAccessLogDelivery${this.serverAccessLogs.policy?.document.statementCount ?? 0}`);
  }

  /**
   * Turns on the access logs of a load balancer, into this bucket under `prefix`. Set as attributes
   * (`logAccessLogs()` needs a concrete region to find the ELB account; the bucket grants both ways
   * of delivery), and the load balancer is made after the bucket policy, as it checks it may write
   * when it is created.
   */
  public logLoadBalancer(loadBalancer: elbv2.ApplicationLoadBalancer, prefix: string): void {
    this.grantLoadBalancerLogDelivery(prefix);
    loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    loadBalancer.setAttribute('access_logs.s3.bucket', this.bucket.bucketName);
    loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
    loadBalancer.node.addDependency(this);
  }

  /**
   * Lets Elastic Load Balancing write access logs under `prefix`. Regions opened before August
   * 2022 deliver as a regional ELB account, newer ones as the log delivery service principal;
   * the stack is region-agnostic, so both are granted and the account is picked at deploy time
   * (in a newer region it falls back to this account, which adds nothing).
   */
  public grantLoadBalancerLogDelivery(prefix: string): void {
    const objects = this.bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`);
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: `ElbLogDelivery${this.bucket.policy?.document.statementCount ?? 0}`,
      principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [objects],
    }));
    const { accounts, legacyRegion } = this.elbAccounts();
    const legacyAccount = `arn:${Aws.PARTITION}:iam::${accounts.findInMap(Aws.REGION, 'account')}:root`;
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(Fn.conditionIf(legacyRegion.logicalId, legacyAccount, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`).toString())],
      actions: ['s3:PutObject'],
      resources: [objects],
    }));
  }

  /**
   * The ELB account of each region and the test for a region that has one: made once per stack and
   * shared by every access log bucket in it (two identical conditions would be flagged by the
   * template validator).
   */
  private elbAccounts(): { accounts: CfnMapping; legacyRegion: CfnCondition } {
    const stack = Stack.of(this);
    const existing = stack.node.tryFindChild('AccessLogBucketElbAccounts') as CfnMapping | undefined;
    if (existing) return { accounts: existing, legacyRegion: stack.node.findChild('AccessLogBucketElbLegacyRegion') as CfnCondition };
    const regions = RegionInfo.regions.filter((region) => region.elbv2Account !== undefined);
    const accounts = new CfnMapping(stack, 'AccessLogBucketElbAccounts', {
      mapping: Object.fromEntries(regions.map((region) => [region.name, { account: region.elbv2Account! }])),
    });
    // Fn::Or takes 2 to 10 conditions, so the region test is an Or of Ors.
    const tests = regions.map((region) => Fn.conditionEquals(Aws.REGION, region.name));
    const groups: ReturnType<typeof Fn.conditionOr>[] = [];
    for (let i = 0; i < tests.length; i += 10) {
      const chunk = tests.slice(i, i + 10);
      groups.push(chunk.length === 1 ? chunk[0] : Fn.conditionOr(...chunk));
    }
    const legacyRegion = new CfnCondition(stack, 'AccessLogBucketElbLegacyRegion', { expression: groups.length === 1 ? groups[0] : Fn.conditionOr(...groups) });
    return { accounts, legacyRegion };
  }
}

/** Server access logs of `bucket` into `target` under `prefix`, delivered by bucket policy (not the log-delivery ACL), so ACLs stay disabled. */
function logServerAccess(bucket: s3.Bucket, target: s3.Bucket, prefix: string, sid: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: prefix };
  target.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [target.arnForObjects(`${prefix}*`)],
    conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account } },
  }));
}
