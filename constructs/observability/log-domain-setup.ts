import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { DEFAULT_LAMBDA_BUNDLING, inProcessLambdaCode } from '../compute/lambda-bundle';
import { EncryptedLogGroup } from './encrypted-log-group';

/** Props of a LogDomainSetup. */
export interface LogDomainSetupProps {
  /** The domain to set up. */
  readonly domain: opensearch.Domain;
  /** Name of the domain, which prefixes the function's name. */
  readonly domainName: string;
  /** The domain's master user: the function runs with it. Must be assumable by Lambda. */
  readonly masterRole: iam.Role;
  /** The VPC of the domain. */
  readonly vpc: ec2.IVpc;
  /** Subnets the function runs in (the domain's). */
  readonly subnets: ec2.ISubnet[];
  /** The domain's security group, which lets the function in on 443. */
  readonly domainSecurityGroup: ec2.ISecurityGroup;
  /** The role Firehose writes with. */
  readonly writerRole: iam.IRole;
  /** Roles given full access inside the domain (people). */
  readonly adminRoles: readonly iam.IRole[];
  /** Prefix of the daily indexes. */
  readonly indexPrefix: string;
  /** Days a daily index is kept. */
  readonly retentionDays: number;
  /** Primary shards per daily index. */
  readonly shards: number;
  /** Replicas per shard. */
  readonly replicas: number;
  /** Key of the function's log group. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the function's log group. */
  readonly logRetention?: logs.RetentionDays;
  /** Keep the function's logs when the stack is deleted. */
  readonly retain?: boolean;
}

/**
 * What CloudFormation cannot say about an OpenSearch domain, said through the domain's API at
 * deploy time by a function in the VPC: the Firehose role mapped to a writer role (without it,
 * fine-grained access control refuses every delivery), the operators mapped to full access, the
 * index template of the daily log indexes, and the ISM policy that deletes them after the retention.
 */
export class LogDomainSetup extends Construct {
  /** The function (invoked by CloudFormation only). */
  public readonly function: nodejs.NodejsFunction;
  /** The custom resource; re-applied whenever its properties change. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: LogDomainSetupProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw ConstructPropError.of(this, 'retentionDays', `is ${props.retentionDays}; expected a whole number of days, at least 1`);
    }
    if (!Number.isInteger(props.shards) || props.shards < 1) throw ConstructPropError.of(this, 'shards', `is ${props.shards}; expected at least 1`);
    if (!Number.isInteger(props.replicas) || props.replicas < 0) throw ConstructPropError.of(this, 'replicas', `is ${props.replicas}; expected 0 or more`);
    const functionName = `${props.domainName}-setup`;
    const logGroup = new EncryptedLogGroup(this, 'Logs', { encryptionKey: props.encryptionKey, retention: props.logRetention, retain: props.retain, logGroupName: `/aws/lambda/${functionName}` }).logGroup;
    const role = props.masterRole;
    role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'NetworkInterfacesInVpc',
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'SetUpDomain', actions: ['es:ESHttpGet', 'es:ESHttpPut'], resources: [`${props.domain.domainArn}/*`] }));

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${functionName}: no inbound; outbound to the log domain and the CloudFormation response URL`,
      allowAllOutbound: true,
    });
    props.domainSecurityGroup.addIngressRule(securityGroup, ec2.Port.tcp(443), 'domain setup function');

    const source = path.join(__dirname, 'log-domain-setup', 'handler');
    const entry = fs.existsSync(`${source}.ts`) ? `${source}.ts` : `${source}.js`;
    const bundling: nodejs.BundlingOptions = DEFAULT_LAMBDA_BUNDLING;
    const code = inProcessLambdaCode(this, entry, bundling);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: `Sets up the inside of ${props.domainName} (security mappings, index template, retention) at deploy time`,
      entry,
      code,
      handler: code ? 'index.handler' : 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(5),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: { subnets: props.subnets },
      securityGroups: [securityGroup],
      retryAttempts: 0,
      bundling,
    });
    const adminRoleArns = [role.roleArn, ...props.adminRoles.map((r) => r.roleArn)];
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::LogDomainSetup',
      properties: {
        DomainUrl: `https://${props.domain.domainEndpoint}`,
        IndexPrefix: props.indexPrefix,
        RetentionDays: String(props.retentionDays),
        Shards: String(props.shards),
        Replicas: String(props.replicas),
        WriterRoleArn: props.writerRole.roleArn,
        AdminRoleArns: adminRoleArns,
      },
    });
    // The function needs its permissions and log group before CloudFormation invokes it.
    this.resource.node.addDependency(role);

    const policy = role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only actions without resource-level permissions use Resource *: the EC2 network-interface actions Lambda needs to attach to the VPC, and X-Ray PutTraceSegments/PutTelemetryRecords for active tracing.',
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.domain.node.defaultChild as opensearch.CfnDomain)}.Arn>/*]`,
      reason: 'The function calls the security, index template and ISM APIs under paths of the one log domain it sets up.',
    });
    const deployTime = 'Invoked only by CloudFormation while the stack deploys, which waits for its answer and fails the deployment on an error; there is no asynchronous caller whose failed events a dead-letter queue or failure destination would keep.';
    for (const ruleId of ['Serverless-LambdaDLQ', 'Serverless-LambdaAsyncFailureDestination']) Validations.of(this.function).acknowledge({ id: ruleId, reason: deployTime });
    if (Stack.of(props.vpc) !== Stack.of(this)) {
      Validations.of(this.function).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: 'The function is in the platform VPC, whose subnets are imported from the network stack (Fn::ImportValue); the guard rule accepts only literal subnet IDs or subnets in the same template, so it cannot see them.',
      });
    }
  }
}
