import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** A VPC link (V2) of the edge gateway and the security group its traffic leaves from. */
export interface IGatewayLink {
  /** The VPC link the gateway's private integrations name. */
  readonly vpcLink: apigatewayv2.IVpcLink;
  /** Its security group: a load balancer lets the gateway in by admitting this group on its listener. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/** Props of a GatewayLink. */
export interface GatewayLinkProps {
  /** The VPC of the load balancers the gateway reaches. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the link's network interfaces.
   * @default - the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Name of the VPC link, e.g. `shop-dev-gateway`.
   * @default - a name CloudFormation makes
   */
  readonly vpcLinkName?: string;
}

/**
 * How the edge gateway reaches private load balancers of any runtime: one VPC link (V2) per platform
 * with a security group of its own that sends nothing anywhere until a load balancer admits it, so
 * the link reaches exactly the listeners that let it in (each such rule opens the way both ways).
 */
export class GatewayLink extends Construct implements IGatewayLink, ec2.IConnectable {
  /** The VPC link (V2). */
  public readonly vpcLink: apigatewayv2.VpcLink;
  /** The link's security group: no inbound, outbound only where a load balancer admits it. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The link's network side. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: GatewayLinkProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.vpcLinkName ?? 'Edge gateway'} VPC link: outbound to the load balancers that admit it only`,
      allowAllOutbound: false,
    });
    this.vpcLink = new apigatewayv2.VpcLink(this, 'VpcLink', {
      vpc: props.vpc,
      vpcLinkName: props.vpcLinkName,
      subnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
    });
    this.connections = this.securityGroup.connections;
  }
}
