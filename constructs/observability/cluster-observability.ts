import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { EncryptedLogGroup } from './encrypted-log-group';

/** Props of a ClusterObservability. */
export interface ClusterObservabilityProps {
  /** Name of the EKS cluster. */
  readonly clusterName: string;
  /** Key of the log groups the add-on writes to; its policy must let CloudWatch Logs use it. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of those log groups (at least a year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Keep the log groups when the stack is deleted.
   * @default false
   */
  readonly retain?: boolean;
}

/** The log groups Container Insights writes to, by their last path segment. */
const LOG_GROUPS = ['application', 'dataplane', 'host', 'performance'] as const;
/** Where the add-on runs its agent and Fluent Bit, and the service account both use. */
const ADDON_NAMESPACE = 'amazon-cloudwatch';
const ADDON_SERVICE_ACCOUNT = 'cloudwatch-agent';

/**
 * Logs and metrics of the pods of an EKS cluster: the Amazon CloudWatch Observability add-on
 * (Fluent Bit ships every container's stdout to `/aws/containerinsights/<cluster>/application`,
 * the CloudWatch agent sends Container Insights metrics such as pod CPU and memory per Kubernetes
 * Service), with its role bound through EKS Pod Identity. The log groups it writes to are made
 * here first, so they are encrypted and kept for the retention asked, instead of being created
 * by the agent without either.
 */
export class ClusterObservability extends Construct {
  /** The add-on. */
  public readonly addon: eks.CfnAddon;
  /** The role of the agent and Fluent Bit. */
  public readonly role: iam.Role;
  /** The container logs of every pod. */
  public readonly applicationLogs: logs.ILogGroup;
  /** Every log group the add-on writes to, by kind (`application`, `dataplane`, `host`, `performance`). */
  public readonly logGroups: Readonly<Record<(typeof LOG_GROUPS)[number], logs.ILogGroup>>;

  constructor(scope: Construct, id: string, props: ClusterObservabilityProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.clusterName) && !/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(props.clusterName)) {
      throw ConstructPropError.of(this, 'clusterName', `'${props.clusterName}' is not an EKS cluster name`);
    }
    const prefix = `/aws/containerinsights/${props.clusterName}`;
    const groups = {} as Record<(typeof LOG_GROUPS)[number], logs.ILogGroup>;
    for (const kind of LOG_GROUPS) {
      groups[kind] = new EncryptedLogGroup(this, `${kind}Logs`, { encryptionKey: props.encryptionKey, retention: props.logRetention, retain: props.retain, logGroupName: `${prefix}/${kind}` }).logGroup;
    }
    this.logGroups = groups;
    this.applicationLogs = groups.application;

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      description: `CloudWatch agent and Fluent Bit of ${props.clusterName} (EKS Pod Identity)`,
    });
    // The parts of CloudWatchAgentServerPolicy the add-on uses, held to this cluster's log groups and the Container Insights namespace.
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteClusterLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: Object.values(groups).map((group) => group.logGroupArn),
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'FindClusterLogGroups',
      actions: ['logs:DescribeLogGroups'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'ContainerInsightsMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'ContainerInsights' } },
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'DescribeNodes',
      actions: ['ec2:DescribeVolumes', 'ec2:DescribeTags', 'ec2:DescribeInstances'],
      resources: ['*'],
    }));

    this.addon = new eks.CfnAddon(this, 'Addon', {
      clusterName: props.clusterName,
      addonName: 'amazon-cloudwatch-observability',
      resolveConflicts: 'OVERWRITE',
      podIdentityAssociations: [{ serviceAccount: ADDON_SERVICE_ACCOUNT, roleArn: this.role.roleArn }],
    });
    // The log groups exist before the agent starts, so it writes into them rather than making its own.
    for (const group of Object.values(groups)) this.addon.node.addDependency(group);

    const policy = this.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `Actions without resource-level permissions: cloudwatch:PutMetricData (held to the ContainerInsights namespace by a condition) and the EC2 Describe calls the agent makes to label node metrics. Namespace ${ADDON_NAMESPACE}, service account ${ADDON_SERVICE_ACCOUNT}.`,
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      reason: 'logs:DescribeLogGroups lists groups by prefix and has no narrower resource; writing is held to the cluster\'s own log groups.',
    });
  }
}
