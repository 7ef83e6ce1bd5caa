import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';

/** Props of a PlatformCluster. */
export interface PlatformClusterProps {
  /** The platform VPC. */
  readonly vpc: ec2.IVpc;
  /** Cluster name, e.g. `shop-dev`. */
  readonly clusterName: string;
  /**
   * Let services run part of their tasks on Fargate Spot (interruptible, cheaper). Suits dev;
   * prod runs on on-demand Fargate only.
   * @default false
   */
  readonly allowSpot?: boolean;
}

/**
 * The ECS cluster container services run in: Fargate and Fargate Spot capacity providers,
 * Container Insights with enhanced observability, and the capacity strategy a service should use.
 */
export class PlatformCluster extends Construct {
  /** The cluster. */
  public readonly cluster: ecs.Cluster;
  /** Whether services may use Fargate Spot. */
  public readonly allowSpot: boolean;

  constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(props.clusterName)) {
      throw ConstructPropError.of(this, 'clusterName', `'${props.clusterName}' must be 1 to 255 letters, digits, hyphens or underscores`);
    }
    this.allowSpot = props.allowSpot ?? false;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
    });
    Validations.of(this.cluster).acknowledge({
      id: 'cdk-validator-cfnguard::ecs_container_insights_enabled_check',
      reason: "Container Insights is on, at the 'enhanced' level (task and container metrics as well as service ones); the rule accepts only the literal value 'enabled', which is the lesser level.",
    });
  }

  /**
   * The capacity strategy for a service: always at least one on-demand task (the base), and,
   * where Spot is allowed, two of every three further tasks on Spot.
   */
  public capacityStrategy(): ecs.CapacityProviderStrategy[] {
    return this.allowSpot
      ? [
          { capacityProvider: 'FARGATE', base: 1, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: 2 },
        ]
      : [{ capacityProvider: 'FARGATE', weight: 1 }];
  }
}
