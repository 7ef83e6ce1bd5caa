import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { EncryptionKey } from '../security/encryption-key';

/** Props of a PlatformNetwork. */
export interface PlatformNetworkProps {
  /**
   * Availability zones to span (2 or more).
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways; give one per AZ for high availability.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * Address range of the VPC.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Key for the flow log group.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the flow logs.
   * @default RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Keep the flow logs and key when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/**
 * The platform VPC: public, private (with NAT egress) and isolated subnets across AZs, every
 * flow logged to an encrypted log group, and gateway endpoints so S3 and DynamoDB traffic
 * stays off the NAT. Public subnets never hand out public IPs on their own.
 */
export class PlatformNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** Where services run: private subnets with NAT egress. */
  public readonly serviceSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  /** Where data stores without internet access go. */
  public readonly isolatedSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  /** The flow log's log group. */
  public readonly flowLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    const natGateways = props.natGateways ?? 1;
    if (!Number.isInteger(maxAzs) || maxAzs < 2 || maxAzs > 6) {
      throw ConstructPropError.of(this, 'maxAzs', `is ${maxAzs}; expected a whole number from 2 to 6 (one AZ is not a platform)`);
    }
    if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > maxAzs) {
      throw ConstructPropError.of(this, 'natGateways', `is ${natGateways}; expected a whole number from 1 to maxAzs (${maxAzs})`);
    }

    // An env-agnostic stack only knows two AZs by name; past two, pick them by index at deploy time.
    const agnostic = Token.isUnresolved(Stack.of(this).region);
    const availabilityZones = agnostic && maxAzs > 2 ? Array.from({ length: maxAzs }, (_, i) => Fn.select(i, Fn.getAzs())) : undefined;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.0.0.0/16'),
      ...(availabilityZones ? { availabilityZones } : { maxAzs }),
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'services', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    const key = props.encryptionKey ?? new EncryptionKey(this, 'FlowLogKey', { description: 'Encrypts the platform VPC flow logs', retain: props.retainData }).key;
    const flowLogs = new EncryptedLogGroup(this, 'FlowLogs', { encryptionKey: key, retention: props.flowLogRetention, retain: props.retainData });
    this.flowLogGroup = flowLogs.logGroup;
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs.logGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}
