import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
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
  /**
   * A NAT instance in place of each NAT gateway, for an environment where cost matters more than
   * managed failover: the instance type (for example `t4g.nano`) and why the relaxation is acceptable
   * there, which every finding it raises is acknowledged with.
   * @default - NAT gateways
   */
  readonly natInstance?: NatInstanceChoice;
}

/** A NAT instance in place of a NAT gateway, and why. */
export interface NatInstanceChoice {
  /** EC2 instance type, e.g. `t4g.nano` (Graviton types run the Arm image). */
  readonly instanceType: string;
  /** Why an instance is acceptable here (no managed failover, an instance to patch). */
  readonly reason: string;
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
    const natInstance = props.natInstance;
    if (natInstance !== undefined) {
      if (!NAT_INSTANCE_TYPE.test(natInstance.instanceType)) throw ConstructPropError.of(this, 'natInstance.instanceType', `'${natInstance.instanceType}' is not an EC2 instance type such as t4g.nano`);
      if (natInstance.reason.trim().length < 20) throw ConstructPropError.of(this, 'natInstance.reason', 'must say why a NAT instance is acceptable here (at least 20 characters)');
    }

    const cidr = props.cidr ?? '10.0.0.0/16';
    const natProvider = natInstance === undefined ? undefined : natInstanceProvider(natInstance.instanceType);
    // An env-agnostic stack only knows two AZs by name; past two, pick them by index at deploy time.
    const agnostic = Token.isUnresolved(Stack.of(this).region);
    const availabilityZones = agnostic && maxAzs > 2 ? Array.from({ length: maxAzs }, (_, i) => Fn.select(i, Fn.getAzs())) : undefined;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      ...(availabilityZones ? { availabilityZones } : { maxAzs }),
      natGateways,
      natGatewayProvider: natProvider,
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

    if (natProvider !== undefined && natInstance !== undefined) {
      // The instances' security group admits nothing by itself: the VPC's own subnets send their egress through it.
      natProvider.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.allTraffic(), 'egress of the VPC through the NAT instance');
      this.hardenNatInstances(natInstance.reason);
    }

    // Its own key: the network deploys before the shared stack that holds the services' key, and its
    // flow logs are read by whoever audits the network, not by the services.
    const key = props.encryptionKey ?? new EncryptionKey(this, 'FlowLogKey', { description: 'Encrypts the platform VPC flow logs', retain: props.retainData }).key;
    const flowLogs = new EncryptedLogGroup(this, 'FlowLogs', { encryptionKey: key, retention: props.flowLogRetention, retain: props.retainData });
    this.flowLogGroup = flowLogs.logGroup;
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs.logGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }

  /**
   * The NAT instances' hardening: IMDSv2 only, an encrypted root volume, detailed monitoring. What
   * an instance doing a gateway's work cannot avoid (a public address, no termination protection so
   * the stack can replace it) is acknowledged with the profile's reason.
   */
  private hardenNatInstances(reason: string): void {
    for (const subnet of this.vpc.publicSubnets) {
      const instance = subnet.node.tryFindChild('NatInstance') as ec2.Instance | undefined;
      if (instance === undefined) continue;
      const cfn = instance.node.defaultChild as ec2.CfnInstance;
      // Instance metadata only with a session token (IMDSv2), detailed monitoring, through a launch template of its own.
      const template = new ec2.CfnLaunchTemplate(instance, 'LaunchTemplate', {
        launchTemplateData: { metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled' }, monitoring: { enabled: true } },
      });
      cfn.launchTemplate = { launchTemplateId: template.ref, version: template.attrLatestVersionNumber };
      cfn.monitoring = true;
      cfn.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8, deleteOnTermination: true } }];
      const because = `A NAT instance in place of a NAT gateway: ${reason}`;
      const acknowledge = (id: string, why: string) => Validations.of(instance).acknowledge({ id, reason: `${because} ${why}` });
      acknowledge('AwsSolutions-EC29', 'The stack replaces it at will, so it has no termination protection; nothing on it is kept.');
      acknowledge('cdk-validator-cfnguard::ec2_instance_no_public_ip_check', "It forwards the private subnets' traffic to the internet, which needs a public address.");
      acknowledge(
        'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check',
        'It forwards traffic out of the VPC, which the services encrypt end to end (TLS); it exchanges nothing with other instances that VPC encryption in transit would cover.',
      );
    }
  }
}

const NAT_INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** NAT instances of the type, on the latest Amazon Linux 2023 for its architecture, admitting only traffic from the VPC. */
function natInstanceProvider(instanceType: string): ec2.NatInstanceProviderV2 {
  const type = new ec2.InstanceType(instanceType);
  const cpuType = type.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64;
  return ec2.NatProvider.instanceV2({
    instanceType: type,
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType }),
    defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
    associatePublicIpAddress: true,
  });
}
