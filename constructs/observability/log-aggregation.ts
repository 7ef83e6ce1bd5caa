import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { hardenedUserPool } from '../identity/hardened-user-pool';
import { EncryptionKey } from '../security/encryption-key';
import { createPrivateBucket } from '../security/private-bucket';
import { AccessLogBucket } from './access-log-bucket';
import { EncryptedLogGroup } from './encrypted-log-group';
import { LogDomainSetup } from './log-domain-setup';

/** Size and availability of the log store. */
export interface LogSearchCapacity {
  /** Availability zones the data nodes span: 1 (no zone awareness), 2 or 3. */
  readonly availabilityZones: number;
  /** Data nodes; a multiple of `availabilityZones`. */
  readonly dataNodes: number;
  /** Instance type of the data nodes, e.g. `r7g.large.search`. */
  readonly dataNodeInstanceType: string;
  /** Dedicated master nodes: 0 (none), 3 or 5. */
  readonly dedicatedMasterNodes: number;
  /** Instance type of the dedicated masters. @default 'm7g.large.search' */
  readonly masterNodeInstanceType?: string;
  /** EBS volume per data node, GiB (gp3). */
  readonly volumeSizeGiB: number;
}

/** Props of a LogAggregation. */
export interface LogAggregationProps {
  /** Name of the domain and prefix of the pipeline's names, e.g. `shop-dev-logs` (3 to 28 lowercase letters, digits, hyphens). */
  readonly domainName: string;
  /** The VPC the domain and the delivery stream's network interfaces sit in. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the domain; one per availability zone used is taken.
   * @default - private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Size and availability of the domain. */
  readonly capacity: LogSearchCapacity;
  /**
   * Days a daily log index is kept in the domain before ISM deletes it.
   * @default 30
   */
  readonly indexRetentionDays?: number;
  /**
   * Days a failed document is kept in the backup bucket.
   * @default 365
   */
  readonly failedDocumentRetentionDays?: number;
  /**
   * Retention of the domain's own logs and the delivery stream's error logs (at least a year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Keep the domain, bucket, keys and logs when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
  /**
   * Cognito Plus tier with threat protection for the operators' user pool.
   * @default true
   */
  readonly threatProtection?: boolean;
  /**
   * Reasons for each relaxation of the high-availability rules (fewer than three zones, no
   * dedicated masters), shown beside the acknowledgement. Required when the capacity relaxes them.
   * @default - none; a relaxed capacity is refused
   */
  readonly relaxationReason?: string;
}

/** The index name prefix; Firehose appends the day (`logs-2026-11-24`). */
export const LOG_INDEX_PREFIX = 'logs';

/**
 * The platform's central log store (the "ELK" of the platform): an Amazon OpenSearch Service
 * domain in the VPC (encrypted at rest with its own key and between nodes, HTTPS with TLS 1.2,
 * fine-grained access control, its application, audit and slow logs in encrypted log groups),
 * OpenSearch Dashboards behind Cognito sign-in for an operators' user pool, and the pipeline
 * CloudWatch Logs subscription -> Firehose (in the VPC, encrypted) -> OpenSearch, one index per
 * day, where every document the domain refuses or cannot take lands in an encrypted, versioned
 * S3 bucket with a lifecycle, so no log line is lost when the domain is unavailable.
 *
 * `subscribe(logGroup)` joins a log group to the pipeline.
 */
export class LogAggregation extends Construct {
  /** The OpenSearch domain. */
  public readonly domain: opensearch.Domain;
  /** The delivery stream the log groups feed. */
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  /** Documents the domain refused or could not take, kept for replay. */
  public readonly failedDocuments: s3.Bucket;
  /** The role CloudWatch Logs assumes to put subscribed events into the stream. */
  public readonly subscriptionRole: iam.Role;
  /** The role Firehose delivers with; `setup` maps it to a writer role inside the domain. */
  public readonly deliveryRole: iam.Role;
  /** The user pool of the people who may sign in to OpenSearch Dashboards. */
  public readonly operators: cognito.UserPool;
  /** The role signed-in operators get; mapped to full access inside the domain. */
  public readonly operatorRole: iam.Role;
  /** The domain's master user: the role of the function that sets the domain up at deploy time. */
  public readonly masterRole: iam.Role;
  /** Security mappings, index template and retention, applied through the domain's API at deploy time. */
  public readonly setup: LogDomainSetup;
  /** The key of the domain, the stream, the bucket and the logs. */
  public readonly encryptionKey: EncryptionKey;
  /** Security group of the domain (HTTPS from the delivery stream and the given peers only). */
  public readonly domainSecurityGroup: ec2.SecurityGroup;
  /** Name of the domain, e.g. `shop-dev-logs`. */
  public readonly domainName: string;
  /** Log groups subscribed so far. */
  public readonly subscriptions: logs.SubscriptionFilter[] = [];
  private readonly destination: logs.ILogSubscriptionDestination;

  constructor(scope: Construct, id: string, props: LogAggregationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const capacity = props.capacity;
    const retain = props.retainData ?? false;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.validate(props);
    this.domainName = props.domainName;
    const highlyAvailable = capacity.availabilityZones >= 3 && capacity.dedicatedMasterNodes >= 3;

    // Its own key, not the services': the domain, Firehose and the failed-delivery bucket use it through
    // grants of their own, and disabling it in an incident seals the searchable copy of every log
    // without touching any service's data.
    this.encryptionKey = new EncryptionKey(this, 'Key', { description: `Encrypts the central logs of ${props.domainName}`, retain });
    const key = this.encryptionKey.key;
    const logGroup = (logId: string, logGroupName?: string) =>
      new EncryptedLogGroup(this, logId, { encryptionKey: key, retention: props.logRetention, retain, logGroupName }).logGroup;

    // One subnet per zone used, so a one-zone domain sits in exactly one subnet.
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets.slice(0, capacity.availabilityZones);
    if (subnets.length < capacity.availabilityZones) {
      throw ConstructPropError.of(this, 'capacity.availabilityZones', `is ${capacity.availabilityZones}, but the subnets given span only ${subnets.length} zones`);
    }
    this.domainSecurityGroup = new ec2.SecurityGroup(this, 'DomainSecurityGroup', {
      vpc: props.vpc,
      description: `${props.domainName}: HTTPS from the log delivery stream and declared peers only`,
      allowAllOutbound: false,
    });
    const deliverySecurityGroup = new ec2.SecurityGroup(this, 'DeliverySecurityGroup', {
      vpc: props.vpc,
      description: `${props.domainName} delivery stream: outbound HTTPS to the domain only`,
      allowAllOutbound: false,
    });
    this.domainSecurityGroup.addIngressRule(deliverySecurityGroup, ec2.Port.tcp(443), 'Firehose delivery');
    deliverySecurityGroup.addEgressRule(this.domainSecurityGroup, ec2.Port.tcp(443), 'to the log domain');

    // Operators sign in to Dashboards through Cognito; the setup function maps their role to full access.
    this.operators = this.createOperatorPool(props);
    const identityPool = new cognito.CfnIdentityPool(this, 'DashboardsIdentities', {
      identityPoolName: `${props.domainName.replace(/-/g, '_')}_dashboards`,
      allowUnauthenticatedIdentities: false,
    });
    this.operatorRole = new iam.Role(this, 'OperatorRole', {
      description: `Operators signed in to the Dashboards of ${props.domainName}`,
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        { StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPool.ref }, 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'DashboardsRoles', { identityPoolId: identityPool.ref, roles: { authenticated: this.operatorRole.roleArn } });
    const cognitoRole = new iam.Role(this, 'CognitoAccessRole', {
      description: `Lets OpenSearch set up Cognito sign-in for ${props.domainName}`,
      assumedBy: new iam.ServicePrincipal('opensearchservice.amazonaws.com'),
    });
    // Written out instead of AmazonOpenSearchServiceCognitoAccess, and held to this pool and identity pool.
    cognitoRole.addToPolicy(new iam.PolicyStatement({
      sid: 'ManageDashboardsClient',
      actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient', 'cognito-idp:UpdateUserPoolClient', 'cognito-idp:DescribeUserPoolClient', 'cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminUserGlobalSignOut', 'cognito-idp:ListUserPoolClients'],
      resources: [this.operators.userPoolArn],
    }));
    cognitoRole.addToPolicy(new iam.PolicyStatement({
      sid: 'ManageIdentityPool',
      actions: ['cognito-identity:DescribeIdentityPool', 'cognito-identity:UpdateIdentityPool', 'cognito-identity:GetIdentityPoolRoles'],
      resources: [stack.formatArn({ service: 'cognito-identity', resource: 'identitypool', resourceName: identityPool.ref })],
    }));
    cognitoRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PassOperatorRole',
      actions: ['iam:GetRole', 'iam:PassRole'],
      resources: [this.operatorRole.roleArn],
      conditions: { StringLike: { 'iam:PassedToService': 'cognito-identity.amazonaws.com' } },
    }));

    this.masterRole = new iam.Role(this, 'MasterRole', {
      description: `Master user of ${props.domainName}: the function that sets up its security mappings, index template and retention`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // The domain's own logs; OpenSearch writes them under a resource policy made here (not by a helper function).
    const domainLogs = {
      app: logGroup('AppLogs'),
      audit: logGroup('AuditLogs'),
      slowSearch: logGroup('SlowSearchLogs'),
      slowIndex: logGroup('SlowIndexLogs'),
    };
    const logsPolicy = new logs.ResourcePolicy(this, 'DomainLogsPolicy', {
      resourcePolicyName: `${props.domainName}-domain-logs`,
      policyStatements: [new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:PutLogEvents', 'logs:CreateLogStream'],
        resources: Object.values(domainLogs).map((g) => g.logGroupArn),
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      })],
    });

    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: props.domainName,
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      vpcSubnets: [{ subnets }],
      securityGroups: [this.domainSecurityGroup],
      capacity: {
        dataNodes: capacity.dataNodes,
        dataNodeInstanceType: capacity.dataNodeInstanceType,
        masterNodes: capacity.dedicatedMasterNodes > 0 ? capacity.dedicatedMasterNodes : undefined,
        masterNodeInstanceType: capacity.dedicatedMasterNodes > 0 ? capacity.masterNodeInstanceType ?? 'm7g.large.search' : undefined,
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness: capacity.availabilityZones > 1 ? { enabled: true, availabilityZoneCount: capacity.availabilityZones } : { enabled: false },
      ebs: { volumeSize: capacity.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      fineGrainedAccessControl: { masterUserArn: this.masterRole.roleArn },
      cognitoDashboardsAuth: { identityPoolId: identityPool.ref, userPoolId: this.operators.userPoolId, role: cognitoRole },
      logging: {
        appLogEnabled: true,
        appLogGroup: domainLogs.app,
        auditLogEnabled: true,
        auditLogGroup: domainLogs.audit,
        slowSearchLogEnabled: true,
        slowSearchLogGroup: domainLogs.slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: domainLogs.slowIndex,
      },
      suppressLogsResourcePolicy: true,
      enableAutoSoftwareUpdate: true,
      offPeakWindowEnabled: true,
      removalPolicy,
    });
    this.domain.node.addDependency(logsPolicy);
    // Requests must be signed by a principal of this account; fine-grained access control then decides what each may do.
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        principals: [new iam.AccountRootPrincipal()],
        actions: ['es:ESHttp*'],
        resources: [stack.formatArn({ service: 'es', resource: 'domain', resourceName: `${props.domainName}/*` })],
      })],
    }).toJSON();
    this.operatorRole.addToPolicy(new iam.PolicyStatement({
      sid: 'UseDashboards',
      actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpPatch', 'es:ESHttpDelete'],
      resources: [this.domain.domainArn, `${this.domain.domainArn}/*`],
    }));

    // Failed documents: encrypted, versioned, TLS only, expired after the retention, access-logged.
    const days = props.failedDocumentRetentionDays ?? 365;
    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    // Write-once for the retention: a failed document is evidence of what the domain did not get.
    this.failedDocuments = createPrivateBucket(this, 'FailedDocuments', {
      encryptionKey: key,
      accessLogs,
      accessLogPrefix: 'failed-documents/',
      expiration: Duration.days(days),
      writeOnceFor: Duration.days(days),
      retain: props.retainData,
    });

    // Firehose: its own error log, a role written out statement by statement.
    const deliveryLogs = logGroup('DeliveryLogs');
    const deliveryLogStream = new logs.LogStream(this, 'DeliveryErrors', { logGroup: deliveryLogs, logStreamName: 'delivery', removalPolicy });
    const backupLogStream = new logs.LogStream(this, 'BackupErrors', { logGroup: deliveryLogs, logStreamName: 'backup', removalPolicy });
    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      description: `Firehose delivery of ${props.domainName}`,
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } } }),
    });
    this.deliveryRole.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteToDomain',
      actions: ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpGet'],
      resources: [this.domain.domainArn, `${this.domain.domainArn}/*`],
    }));
    // The S3 actions Firehose documents for its backup, held to the one bucket.
    this.deliveryRole.addToPolicy(new iam.PolicyStatement({
      sid: 'BackUpFailedDocuments',
      actions: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
      resources: [this.failedDocuments.bucketArn, this.failedDocuments.arnForObjects('*')],
    }));
    key.grant(this.deliveryRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.deliveryRole.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteErrorLogs',
      actions: ['logs:PutLogEvents'],
      // The ARN of a log group ends in ':*', which covers its streams.
      resources: [deliveryLogs.logGroupArn],
    }));
    this.deliveryRole.addToPolicy(new iam.PolicyStatement({
      sid: 'NetworkInterfacesInVpc',
      actions: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces', 'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface'],
      resources: ['*'],
    }));

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamName: props.domainName,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: key.keyArn },
      amazonopensearchserviceDestinationConfiguration: {
        domainArn: this.domain.domainArn,
        indexName: LOG_INDEX_PREFIX,
        indexRotationPeriod: 'OneDay',
        roleArn: this.deliveryRole.roleArn,
        bufferingHints: { intervalInSeconds: 60, sizeInMBs: 5 },
        retryOptions: { durationInSeconds: 300 },
        s3BackupMode: 'FailedDocumentsOnly',
        s3Configuration: {
          bucketArn: this.failedDocuments.bucketArn,
          roleArn: this.deliveryRole.roleArn,
          prefix: 'failed/',
          errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
          compressionFormat: 'GZIP',
          bufferingHints: { intervalInSeconds: 300, sizeInMBs: 5 },
          encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
          cloudWatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.logGroupName, logStreamName: backupLogStream.logStreamName },
        },
        // CloudWatch Logs sends gzipped batches; Firehose unpacks them and passes on each log event's message (no Lambda).
        processingConfiguration: {
          enabled: true,
          processors: [
            { type: 'Decompression', parameters: [{ parameterName: 'CompressionFormat', parameterValue: 'GZIP' }] },
            { type: 'CloudWatchLogProcessing', parameters: [{ parameterName: 'DataMessageExtraction', parameterValue: 'true' }] },
          ],
        },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.logGroupName, logStreamName: deliveryLogStream.logStreamName },
        vpcConfiguration: {
          roleArn: this.deliveryRole.roleArn,
          subnetIds: subnets.map((s) => s.subnetId),
          securityGroupIds: [deliverySecurityGroup.securityGroupId],
        },
      },
    });
    // The role's permissions must exist before Firehose checks them at creation.
    this.deliveryStream.node.addDependency(this.deliveryRole);

    this.setup = new LogDomainSetup(this, 'Setup', {
      domain: this.domain,
      domainName: props.domainName,
      masterRole: this.masterRole,
      vpc: props.vpc,
      subnets,
      domainSecurityGroup: this.domainSecurityGroup,
      writerRole: this.deliveryRole,
      adminRoles: [this.operatorRole],
      indexPrefix: LOG_INDEX_PREFIX,
      retentionDays: props.indexRetentionDays ?? 30,
      shards: capacity.dataNodes,
      replicas: capacity.availabilityZones > 1 ? 1 : 0,
      encryptionKey: key,
      logRetention: props.logRetention,
      retain,
    });
    // Deliveries start once Firehose's role is mapped inside the domain (before that they would all land in S3).
    this.deliveryStream.node.addDependency(this.setup.resource);

    this.subscriptionRole = new iam.Role(this, 'SubscriptionRole', {
      description: `CloudWatch Logs subscriptions into ${props.domainName}`,
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: { StringLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
      }),
    });
    this.subscriptionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PutIntoStream',
      actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      resources: [this.deliveryStream.attrArn],
    }));
    // The stream and role as a subscription destination (the L2 FirehoseDestination would need an L2 stream, which has no OpenSearch destination).
    const destination = { arn: this.deliveryStream.attrArn, role: this.subscriptionRole };
    this.destination = { bind: () => destination };

    this.acknowledge(props, highlyAvailable);
  }

  /** Sends every event of `logGroup` to the central log store. */
  public subscribe(id: string, logGroup: logs.ILogGroup): logs.SubscriptionFilter {
    const filter = new logs.SubscriptionFilter(this, `Subscription-${id}`, {
      logGroup,
      destination: this.destination,
      filterPattern: logs.FilterPattern.allEvents(),
      filterName: `${this.domainName}-central-logs`,
    });
    filter.node.addDependency(this.subscriptionRole);
    this.subscriptions.push(filter);
    return filter;
  }

  /** Lets `peer` (a bastion, a VPN) reach the domain and its Dashboards over HTTPS. */
  public allowHttpsFrom(peer: ec2.IPeer, description: string): void {
    this.domainSecurityGroup.addIngressRule(peer, ec2.Port.tcp(443), description);
  }

  private validate(props: LogAggregationProps): void {
    const c = props.capacity;
    if (!/^[a-z][a-z0-9-]{2,27}$/.test(props.domainName)) {
      throw ConstructPropError.of(this, 'domainName', `'${props.domainName}' must be 3 to 28 lowercase letters, digits or hyphens, starting with a letter`);
    }
    if (![1, 2, 3].includes(c.availabilityZones)) throw ConstructPropError.of(this, 'capacity.availabilityZones', `is ${c.availabilityZones}; expected 1, 2 or 3`);
    if (!Number.isInteger(c.dataNodes) || c.dataNodes < 1 || c.dataNodes % c.availabilityZones !== 0) {
      throw ConstructPropError.of(this, 'capacity.dataNodes', `is ${c.dataNodes}; expected a positive multiple of availabilityZones (${c.availabilityZones})`);
    }
    if (![0, 3, 5].includes(c.dedicatedMasterNodes)) throw ConstructPropError.of(this, 'capacity.dedicatedMasterNodes', `is ${c.dedicatedMasterNodes}; expected 0, 3 or 5`);
    if (!Number.isInteger(c.volumeSizeGiB) || c.volumeSizeGiB < 10) throw ConstructPropError.of(this, 'capacity.volumeSizeGiB', `is ${c.volumeSizeGiB}; expected whole GiB, at least 10`);
    const days = props.failedDocumentRetentionDays ?? 365;
    if (!Number.isInteger(days) || days < 1) throw ConstructPropError.of(this, 'failedDocumentRetentionDays', `is ${days}; expected a whole number of days, at least 1`);
    const relaxed = c.availabilityZones < 3 || c.dedicatedMasterNodes < 3;
    if (relaxed && !props.relaxationReason?.trim()) {
      throw ConstructPropError.of(this, 'relaxationReason', `is missing, but the capacity (${c.availabilityZones} zones, ${c.dedicatedMasterNodes} dedicated masters) relaxes the three-zone, dedicated-master rules; say why`);
    }
  }

  private createOperatorPool(props: LogAggregationProps): cognito.UserPool {
    const pool = hardenedUserPool(this, 'Operators', {
      userPoolName: `${props.domainName}-operators`,
      threatProtection: props.threatProtection ?? true,
      retain: props.retainData ?? false,
      minPasswordLength: 14,
      tempPasswordDays: 1,
    });
    // OpenSearch's Cognito sign-in needs a hosted domain on the pool.
    pool.addDomain('SignIn', { cognitoDomain: { domainPrefix: `${props.domainName}-${Aws.ACCOUNT_ID}` } });
    return pool;
  }

  private acknowledge(props: LogAggregationProps, highlyAvailable: boolean): void {
    if (!highlyAvailable) {
      const reason = props.relaxationReason!;
      for (const id of ['AwsSolutions-OS4', 'AwsSolutions-OS7', 'cdk-validator-cfnguard::opensearch_data_node_fault_tolerance_check']) {
        Validations.of(this.domain).acknowledge({ id, reason });
      }
    }
    Validations.of(this.domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason: 'The domain is reachable only inside the VPC, through a security group that admits the delivery stream and declared peers; requests must also be signed by a principal of this account and pass fine-grained access control.',
    });
    const deliveryPolicy = this.deliveryRole.node.findChild('DefaultPolicy');
    Validations.of(deliveryPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The EC2 network-interface actions Firehose needs to deliver inside the VPC have no resource-level permissions.',
    });
    Validations.of(deliveryPolicy).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.failedDocuments.node.defaultChild as s3.CfnBucket)}.Arn>/*]`, reason: 'Firehose names each backup object itself; the grant is held to the objects of the failed-documents bucket.' });
    Validations.of(deliveryPolicy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::<' + Stack.of(this).getLogicalId(this.domain.node.defaultChild as opensearch.CfnDomain) + '.Arn>/*]', reason: 'Firehose calls the bulk and index APIs under paths of the one log domain it delivers to.' });
    Validations.of(this.operatorRole.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<' + Stack.of(this).getLogicalId(this.domain.node.defaultChild as opensearch.CfnDomain) + '.Arn>/*]',
      reason: 'Operators use OpenSearch Dashboards and the APIs of the one log domain; what each may read inside it is decided by fine-grained access control.',
    });
  }
}
